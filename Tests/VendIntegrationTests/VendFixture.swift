import Foundation
import Observability
import Postgres
import TestSupport
@testable import Vend
import VendCore
import VendSimulator

/// A fresh database with one organisation, a vend agent, customers with meters, the simulator
/// as provider, and the vend service and reconciler over them.
final class VendFixture: @unchecked Sendable {
    // Invariant for @unchecked Sendable: every stored property is a `let` of a Sendable type
    // except `service`, which tests replace only between purchases (a "restart").
    let databaseURL: String
    let pool: PostgresPool
    let simulator: VendSimulator
    let logs = LogCapture()
    let organizationID: UUID
    let user: VendUser
    let settings: VendSettings
    private(set) var service: VendService
    let reconciler: VendReconciler
    static let email = "agent@example.com"
    static let password = "correct horse battery"
    /// Registered to the customer "John Doe"; the seed's own example meter fails Luhn and is exempt.
    static let meter = "04040404040"
    static let seedMeter = "12345678901"

    init(configure: (inout VendSettings) -> Void = { _ in }, failPoints: VendFailPoints = .none) throws {
        databaseURL = try TestDatabase.fresh()
        pool = PostgresPool(url: databaseURL, size: 12)
        var settings = VendSettings()
        settings.passwordIterations = 1_000
        settings.firstAdviceDelay = .zero
        settings.requestRules.luhnExemptMeters = [Self.seedMeter]
        configure(&settings)
        self.settings = settings
        var options = VendSimulatorOptions()
        options.meters[Self.seedMeter] = SimulatedMeter(customerName: "John Doe", accountNumber: "ACC123456")
        simulator = VendSimulator(options: options)
        let logger = Logger(level: .debug, sink: logs.sink)
        organizationID = try pool.withConnection { connection in
            try connection.query("INSERT INTO organizations (slug, name) VALUES ('demo', 'Demo') RETURNING id").first!.uuid(0)
        }
        user = try pool.withConnection { connection in
            try VendUserStore().create(organizationSlug: "demo", email: Self.email, name: "Agent One", password: Self.password,
                                       iterations: 1_000, on: connection)
        }
        let catalog = """
            account_no,name,meter_number,tariff_name,sgc,ti,krn
            ACC123456,John Doe,\(Self.seedMeter),Residential,123,456,789
            ACC123456,John Doe,\(Self.meter),Residential,200000,01,1
            ACC777,Mary Blocked,04040404453,Residential,200000,01,1
            """
        let rows = try VendCatalogCSV.parse(catalog, luhnExempt: [Self.seedMeter]).get()
        _ = try pool.withConnection { try VendCustomerStore().importCatalog(rows, organizationSlug: "demo", on: $0) }
        service = try VendService(pool: pool, providers: SingleVendProvider(simulator), settings: settings, logger: logger,
                                  failPoints: failPoints)
        reconciler = VendReconciler(pool: pool, providers: SingleVendProvider(simulator), settings: settings, logger: logger)
    }

    /// A new service over the same database and provider, as after a restart of the daemon.
    func restart() throws {
        service = try VendService(pool: pool, providers: SingleVendProvider(simulator), settings: settings,
                                  logger: Logger(level: .debug, sink: logs.sink))
    }

    func tearDown() {
        pool.close()
        try? TestDatabase.drop(databaseURL)
    }

    func purchase(_ transID: String, meter: String = VendFixture.meter, amount: Decimal = 50) -> VendPurchase {
        VendPurchase(transID: transID, meterNumber: STSMeterNumber(unchecked: meter), amount: amount)
    }

    /// verify-customer for `purchase` with the agent's credentials; returns the elec_token.
    func verify(_ purchase: VendPurchase, address: String = "192.0.2.1") throws -> String {
        let request = VerifyCustomerRequest(purchase: purchase, login: LoginRequest(email: Self.email, password: Self.password))
        return try service.verifyCustomer(request, address: address).get().elecToken
    }

    /// verify-customer, then buy.
    func buy(_ purchase: VendPurchase) throws -> BuyOutcome {
        try service.buy(BuyRequest(purchase: purchase, elecToken: try verify(purchase)), by: user)
    }

    func transaction(_ transID: String) throws -> VendTransaction? { try service.transaction(transID: transID, for: user) }

    /// Ages every unsettled transaction so that the reconciliation job finds it due.
    func makeUnsettledDue() throws {
        try pool.withConnection { connection in
            _ = try connection.execute(
                "UPDATE vend_transactions SET next_reconcile_at = now() - interval '1 second' WHERE status IN ('pending', 'unknown')")
        }
    }
}


extension BuyOutcome {
    var receipt: VendReceipt? {
        if case .sold(let receipt, _) = self { return receipt }
        return nil
    }
}
