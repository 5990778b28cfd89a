import Foundation
import Postgres
import Testing
@testable import Vend
import VendCore
import VendSimulator

/// Unknown outcomes are settled by the provider's advice, never by vending again; a daemon killed
/// at either end of the provider call is settled after a restart.
struct VendReconcileTests {
    private func knobs(_ change: (inout VendSimulatorKnobs) -> Void) -> VendSimulatorKnobs {
        var knobs = VendSimulatorKnobs()
        change(&knobs)
        return knobs
    }

    @Test func aTimeoutAfterTheSaleIsUnknownThenReconciledAsSold() throws {
        let f = try VendFixture()
        defer { f.tearDown() }
        f.simulator.knobs = knobs { $0.timeoutAfterSaleRate = 1 }
        #expect(try f.buy(f.purchase("TO-1")) == .inProgress(transID: "TO-1", status: .unknown))
        #expect(try f.transaction("TO-1")?.status == .unknown)
        f.simulator.knobs = VendSimulatorKnobs()
        let settled = try f.reconciler.reconcileDue()
        #expect(settled == [VendReconciler.Settlement(transID: "TO-1", status: .success, note: "advice: sold")])
        guard case .sold(let sale)? = f.simulator.records["TO-1"] else { Issue.record("no sale at the simulator"); return }
        let stored = try #require(try f.transaction("TO-1"))
        #expect(stored.receipt?.stdTokens.last?.code == sale.creditToken.grouped)
        #expect(stored.receipt?.cashier == "Agent One")
        #expect(f.simulator.stats.creditVends == 1 && f.simulator.stats.adviceCalls == 1)
        // The client asking again now gets the receipt.
        let again = try f.service.buy(BuyRequest(purchase: f.purchase("TO-1"), elecToken: "vet_any"), by: f.user)
        #expect(again.receipt?.stdTokens.last?.code == sale.creditToken.grouped && again.receipt?.reprint == true)
    }

    @Test func aTimeoutWithoutASaleIsUnknownThenReconciledAsFailed() throws {
        let f = try VendFixture()
        defer { f.tearDown() }
        f.simulator.knobs = knobs { $0.timeoutWithoutSaleRate = 1 }
        #expect(try f.buy(f.purchase("TO-2")) == .inProgress(transID: "TO-2", status: .unknown))
        f.simulator.knobs = VendSimulatorKnobs()
        let settled = try f.reconciler.reconcileDue()
        #expect(settled.map(\.status) == [.failed])
        #expect(settled.first?.note == "advice: no sale (209)")
        let stored = try #require(try f.transaction("TO-2"))
        #expect(stored.failure?.code == "209")
        #expect(f.simulator.stats.creditVends == 1 && f.simulator.stats.salesMade == 0)
    }

    @Test func aFailureAfterTheSaleIsUnknownAndTheAdviceFindsTheSale() throws {
        let f = try VendFixture()
        defer { f.tearDown() }
        f.simulator.knobs = knobs { $0.failAfterSaleRate = 1 }
        #expect(try f.buy(f.purchase("5XX-1")) == .inProgress(transID: "5XX-1", status: .unknown))
        #expect(try f.reconciler.reconcileDue().map(\.status) == [.success])
        #expect(f.simulator.stats.creditVends == 1)
    }

    @Test func noAdviceAnswerLeavesItUnknownAndAsksLaterWithBackoff() throws {
        let f = try VendFixture { $0.firstAdviceDelay = .seconds(10); $0.maximumAdviceDelay = .seconds(40) }
        defer { f.tearDown() }
        f.simulator.knobs = knobs { $0.timeoutAfterSaleRate = 1; $0.adviceFailureRate = 1 }
        _ = try f.buy(f.purchase("ADV-1"))
        #expect(try f.reconciler.reconcileDue().isEmpty)  // not due for 10 s
        for attempt in 1...4 {
            try f.makeUnsettledDue()
            let settled = try f.reconciler.reconcileDue()
            #expect(settled.map(\.status) == [.unknown])
            let (attempts, wait) = try f.pool.withConnection { connection in
                let row = try connection.query(
                    "SELECT reconcile_attempts, extract(epoch FROM next_reconcile_at - now())::float8 FROM vend_transactions").first!
                return (try row.int(0), try row.double(1))
            }
            #expect(attempts == attempt)
            let expected = min(10.0 * pow(2, Double(attempt - 1)), 40)
            #expect(abs(wait - expected) < 3, "attempt \(attempt): waits \(wait) s")
        }
        #expect(f.simulator.stats.creditVends == 1, "the reconciler never vends")
        f.simulator.knobs = VendSimulatorKnobs()
        try f.makeUnsettledDue()
        #expect(try f.reconciler.reconcileDue().map(\.status) == [.success])
    }

    @Test func killedBetweenCommitAndProviderCallIsSettledAsNoSaleAfterRestart() throws {
        let f = try VendFixture(configure: { $0.providerCallLease = .seconds(60) },
                                failPoints: VendFailPoints { point in if point == .afterPendingCommit { throw SimulatedKill() } })
        defer { f.tearDown() }
        #expect(throws: SimulatedKill.self) { try f.buy(f.purchase("KILL-1")) }
        #expect(try f.transaction("KILL-1")?.status == .pending)
        #expect(f.simulator.stats.creditVends == 0)
        try f.restart()
        // Within its lease a pending purchase is left to its caller...
        #expect(try f.reconciler.reconcileDue().isEmpty)
        #expect(try f.reconciler.reconcile(transID: "KILL-1") == nil)
        // ...after it, the advice settles it; the request is never sent again.
        try f.makeUnsettledDue()
        #expect(try f.reconciler.reconcileDue().map(\.status) == [.failed])
        #expect(f.simulator.stats.creditVends == 0 && f.simulator.stats.adviceCalls == 1)
        let replay = try f.service.buy(BuyRequest(purchase: f.purchase("KILL-1"), elecToken: "vet_x"), by: f.user)
        guard case .failed(let failure, replay: true) = replay else { Issue.record("\(replay)"); return }
        #expect(failure.code == "209")
    }

    @Test func killedBetweenTheProvidersAnswerAndRecordingItIsSettledAsSoldAfterRestart() throws {
        let f = try VendFixture(failPoints: VendFailPoints { point in if point == .afterProviderAnswer { throw SimulatedKill() } })
        defer { f.tearDown() }
        #expect(throws: SimulatedKill.self) { try f.buy(f.purchase("KILL-2")) }
        #expect(try f.transaction("KILL-2")?.status == .pending)
        #expect(f.simulator.stats.salesMade == 1)
        try f.restart()
        // Meanwhile the client asks again: in progress, and nothing is sold twice.
        #expect(try f.service.buy(BuyRequest(purchase: f.purchase("KILL-2"), elecToken: "vet_x"), by: f.user)
                == .inProgress(transID: "KILL-2", status: .pending))
        try f.makeUnsettledDue()
        #expect(try f.reconciler.reconcileDue().map(\.status) == [.success])
        guard case .sold(let sale)? = f.simulator.records["KILL-2"] else { Issue.record("no sale"); return }
        #expect(try f.transaction("KILL-2")?.receipt?.stdTokens.last?.code == sale.creditToken.grouped)
        #expect(f.simulator.stats.creditVends == 1)
    }

    @Test func aSettledTransactionIsNeverOverwritten() throws {
        let f = try VendFixture()
        defer { f.tearDown() }
        let receipt = try #require(try f.buy(f.purchase("SET-1")).receipt)
        try f.pool.withConnection { connection in
            _ = try connection.execute("UPDATE vend_transactions SET next_reconcile_at = NULL")  // nothing to claim
        }
        #expect(try f.reconciler.reconcile(transID: "SET-1") == nil)
        #expect(try f.transaction("SET-1")?.receipt == receipt)
        #expect(try f.reconciler.unsettled().isEmpty)
        // A late answer (a failure, an unknown, another receipt) written over it changes nothing.
        let settled = try #require(try f.transaction("SET-1"))
        var other = receipt
        other.receiptNo = "OTHER"
        let store = VendTransactionStore()
        let afterLateAnswers = try f.pool.withConnection { connection in
            [try store.recordFailure(id: settled.id, failure: .init(code: "209", message: "No sale", details: "No sale"), on: connection),
             try store.recordUnknown(id: settled.id, note: "late timeout", delay: .zero, on: connection),
             try store.recordSale(id: settled.id, receipt: other, on: connection)]
        }
        #expect(afterLateAnswers.allSatisfy { $0.status == .success && $0.receipt == receipt && $0.failure == nil })
        #expect(try f.transaction("SET-1") == settled)
    }
}

struct SimulatedKill: Error {}
