import Crypto
import Foundation
import OutboundHTTP
import Postgres
import PrepaidPlus
import Testing
@testable import Vend
import VendCore
import VendSimulator

/// Purchases through an organisation's PrepaidPlus account (here the simulator over HTTP), with
/// its credentials sealed at rest, settled by advice over the same client.
struct VendProvidersTests {
    private func setUp(_ f: VendFixture, timeout: Duration = .seconds(2)) throws -> (VendProviders, VendProviderAccountStore) {
        try f.simulator.start()
        let urlGuard = try OutboundURLGuard(privateAllowList: "127.0.0.1:\(f.simulator.port!)")
        let keyring = try Keyring(base64Key: Data((0..<32).map { UInt8($0) }).base64EncodedString())
        let accounts = VendProviderAccountStore(keyring: keyring, urlGuard: urlGuard)
        try f.pool.withConnection { connection in
            try accounts.set(.init(baseURL: f.simulator.baseURL, apiKey: "vend-sim", password: "vend-sim-password", outletID: "outlet-1",
                                   operatorID: "op-1", terminalID: "web"), organizationID: f.organizationID, on: connection)
        }
        let providers = VendProviders(pool: f.pool, accounts: accounts, builtIn: f.simulator, http: OutboundHTTPClient(urlGuard: urlGuard),
                                      timeouts: .init(connect: .seconds(1), request: timeout), logger: .silent)
        return (providers, accounts)
    }

    @Test func credentialsAreSealedAndPurchasesGoThroughTheAccount() throws {
        let f = try VendFixture()
        defer { f.simulator.stop(); f.tearDown() }
        let (providers, accounts) = try setUp(f)
        let row = try f.pool.withConnection { try $0.query("SELECT t::text FROM vend_provider_accounts t").first!.string(0) }
        #expect(!row.contains("vend-sim-password") && !row.contains(",vend-sim,"))
        #expect(try f.pool.withConnection { try accounts.summary(organizationID: f.organizationID, on: $0) }?.outletID == "outlet-1")
        #expect(try providers.provider(for: f.organizationID).name == "prepaidplus")
        let service = try VendService(pool: f.pool, providers: providers, settings: f.settings)
        let purchase = f.purchase("ACC-1")
        let outcome = try service.buy(BuyRequest(purchase: purchase, elecToken: try f.verify(purchase)), by: f.user)
        #expect(outcome.receipt != nil)
        #expect(try f.transaction("ACC-1")?.provider == "prepaidplus")
        // Without an account the organisation vends through the built-in provider.
        #expect(try f.pool.withConnection { try accounts.remove(organizationID: f.organizationID, on: $0) })
        #expect(try providers.provider(for: f.organizationID).name == "simulator")
        #expect(throws: VendStoreError.self) { try providers.provider(named: "prepaidplus", for: f.organizationID) }
    }

    @Test func anHTTPTimeoutIsUnknownAndTheReconcilerSettlesItOverHTTP() throws {
        let f = try VendFixture()
        defer { f.simulator.stop(); f.tearDown() }
        let (providers, _) = try setUp(f, timeout: .milliseconds(500))
        var knobs = VendSimulatorKnobs()
        knobs.timeoutAfterSaleRate = 1
        knobs.hangMs = 5_000
        f.simulator.knobs = knobs
        let service = try VendService(pool: f.pool, providers: providers, settings: f.settings)
        let purchase = f.purchase("HTTP-TO")
        #expect(try service.buy(BuyRequest(purchase: purchase, elecToken: try f.verify(purchase)), by: f.user)
                == .inProgress(transID: "HTTP-TO", status: .unknown))
        f.simulator.knobs = VendSimulatorKnobs()
        let reconciler = VendReconciler(pool: f.pool, providers: providers, settings: f.settings)
        #expect(try reconciler.reconcileDue().map(\.status) == [.success])
        #expect(f.simulator.creditVendsBySaleID["HTTP-TO"] == 1 && f.simulator.stats.adviceCalls == 1)
    }

    @Test func aURLTheGuardRefusesIsNotStored() throws {
        let f = try VendFixture()
        defer { f.tearDown() }
        let accounts = VendProviderAccountStore(keyring: try Keyring(base64Key: Data(repeating: 7, count: 32).base64EncodedString()),
                                                urlGuard: OutboundURLGuard())
        for url in ["http://127.0.0.1:9/x", "http://169.254.169.254/latest", "ftp://example.com/"] {
            #expect(throws: VendStoreError.self) {
                try f.pool.withConnection { try accounts.set(.init(baseURL: url, apiKey: "k", password: "p", outletID: "o", operatorID: "op",
                                                                   terminalID: "t"), organizationID: f.organizationID, on: $0) }
            }
        }
    }
}
