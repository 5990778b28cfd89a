import Domain
import Foundation
import Observability
import Postgres
import Testing
@testable import Vend
import VendCore

/// The seed's workflow through the service: login, verify, buy, history, by id.
struct VendWorkflowTests {
    @Test func loginVerifyBuyHistoryAndByID() throws {
        let f = try VendFixture()
        defer { f.tearDown() }
        let login = try f.service.logIn(LoginRequest(email: "Agent@Example.com", password: VendFixture.password), address: "192.0.2.1").get()
        #expect(login.apiToken.hasPrefix("vat_") && login.apiToken.count == 68)
        #expect(try f.service.authenticate(apiToken: login.apiToken) == f.user)

        let purchase = f.purchase("TXN123456789", meter: VendFixture.seedMeter)
        let verified = try f.service.verifyCustomer(
            VerifyCustomerRequest(purchase: purchase, login: LoginRequest(email: VendFixture.email, password: VendFixture.password)),
            address: "192.0.2.1").get()
        #expect(verified.customerName == "John Doe" && verified.customerAccountNo == "ACC123456")
        #expect(verified.meterDetails.sgcTi == "123/456" && verified.tariffName == "Residential")
        #expect(try f.service.authenticate(apiToken: verified.apiToken) == f.user)

        let buyer = try #require(try f.service.authenticate(apiToken: login.apiToken))
        let outcome = try f.service.buy(BuyRequest(purchase: purchase, elecToken: verified.elecToken), by: buyer)
        let receipt = try #require(outcome.receipt)
        #expect(outcome == .sold(receipt, replay: false))
        #expect(!receipt.reprint && receipt.cashier == "Agent One" && receipt.customerName == "John Doe")
        #expect(receipt.amountTendered == "50.00" && receipt.meterDetails.number == VendFixture.seedMeter)
        guard case .sold(let sale)? = f.simulator.records["TXN123456789"] else { Issue.record("the simulator has no sale"); return }
        #expect(receipt.stdTokens.last?.code == sale.creditToken.grouped)
        #expect(receipt.receiptNo == sale.receiptNumber)

        let stored = try #require(try f.transaction("TXN123456789"))
        #expect(stored.status == .success && stored.receipt == receipt && stored.amount == 50 && stored.provider == "simulator")
        let page = try f.service.transactions(for: buyer, window: PageWindow(limit: 20, offset: 0))
        #expect(page.total == 1 && page.records.map(\.transID) == ["TXN123456789"])
        let body = VendBody.Transaction(stored, dates: f.settings.dates)
        #expect(body.receipt?.reprint == true && body.status == "success" && body.failure == nil)
    }

    @Test func purchasesAreCountedByOutcome() throws {
        let f = try VendFixture()
        defer { f.tearDown() }
        let metrics = MetricsRegistry()
        let service = try VendService(pool: f.pool, providers: SingleVendProvider(f.simulator), settings: f.settings, metrics: metrics)
        let purchase = f.purchase("M-1")
        let token = try f.verify(purchase)
        _ = try service.buy(BuyRequest(purchase: purchase, elecToken: token), by: f.user)
        _ = try service.buy(BuyRequest(purchase: purchase, elecToken: token), by: f.user)
        _ = try service.buy(BuyRequest(purchase: f.purchase("M-2"), elecToken: token), by: f.user)
        #expect(metrics.value("tradingd_vend_purchases_total", labels: ["outcome": "sold"]) == 1)
        #expect(metrics.value("tradingd_vend_purchases_total", labels: ["outcome": "replay"]) == 1)
        #expect(metrics.value("tradingd_vend_purchases_total", labels: ["outcome": "refused"]) == 1)
        #expect(metrics.render().contains("tradingd_vend_provider_call_seconds_count 1"))
    }

    @Test func historyIsTheCallersOwnNewestFirstAndPaged() throws {
        let f = try VendFixture()
        defer { f.tearDown() }
        for index in 1...5 { _ = try f.buy(f.purchase("H-\(index)")) }
        let other = try f.pool.withConnection { connection in
            try VendUserStore().create(organizationSlug: "demo", email: "other@example.com", name: "Other", password: "another password",
                                       iterations: 1_000, on: connection)
        }
        let first = try f.service.transactions(for: f.user, window: PageWindow(limit: 2, offset: 0))
        #expect(first.total == 5 && first.records.map(\.transID) == ["H-5", "H-4"])
        let last = try f.service.transactions(for: f.user, window: PageWindow(limit: 2, offset: 4))
        #expect(last.records.map(\.transID) == ["H-1"])
        #expect(try f.service.transactions(for: other, window: PageWindow(limit: 20, offset: 0)).total == 0)
        #expect(try f.service.transaction(transID: "H-1", for: other) == nil)
    }

    @Test func aRefusedSaleIsFailedWithTheProvidersReason() throws {
        let f = try VendFixture()
        defer { f.tearDown() }
        let outcome = try f.buy(f.purchase("BLOCKED-1", meter: "04040404453"))
        guard case .failed(let failure, replay: false) = outcome else { Issue.record("not failed: \(outcome)"); return }
        #expect(failure.code == "203" && failure.details == "Blocked customer")
        #expect(try f.transaction("BLOCKED-1")?.status == .failed)
        // Asking again returns the stored failure; the provider is not asked twice.
        let again = try f.service.buy(BuyRequest(purchase: f.purchase("BLOCKED-1", meter: "04040404453"), elecToken: "vet_x"), by: f.user)
        #expect(again == .failed(failure, replay: true))
        #expect(f.simulator.creditVendsBySaleID["BLOCKED-1"] == 1)
    }

    @Test func verifyRefusesUnregisteredMetersAndTransIDsOfOtherPurchases() throws {
        let f = try VendFixture()
        defer { f.tearDown() }
        let login = LoginRequest(email: VendFixture.email, password: VendFixture.password)
        let unknown = f.purchase("V-1", meter: "12345678903")
        #expect(try f.service.verifyCustomer(VerifyCustomerRequest(purchase: unknown, login: login), address: "a")
                == .failure(.refused(VendRefusals([.meterNotRegistered("12345678903")]))))
        _ = try f.buy(f.purchase("V-2"))
        let other = f.purchase("V-2", amount: 60)
        #expect(try f.service.verifyCustomer(VerifyCustomerRequest(purchase: other, login: login), address: "a")
                == .failure(.refused(VendRefusals([.transIDUsedForAnotherPurchase("V-2")]))))
        // The same purchase again may be verified (a client re-running its steps): buying returns the receipt.
        let again = try f.buy(f.purchase("V-2"))
        #expect(again.receipt?.reprint == true)
        #expect(f.simulator.stats.salesMade == 1)
        #expect(VendRefusals([.transIDUsedForAnotherPurchase("V-2")]).domainError.kind == .conflict)
    }
}
