import Foundation
import Postgres
import Purchases
import PurchaseCore
import TestSupport
import Testing

/// The dispatch outbox's claims, leases and status rules on a real PostgreSQL.
@Suite struct PurchaseOutboxTests {
    let fixture: PurchasesFixture
    let outbox = PurchaseOutbox()
    let store = PurchaseStore()

    init() throws {
        fixture = try PurchasesFixture()
    }

    private func record(_ id: UUID) throws -> PurchaseRecord {
        try #require(try store.purchase(id: id, organizationID: fixture.organization, on: fixture.connection))
    }

    @Test func claimsAreDisjointAcrossConnectionsAndLeased() throws {
        let ids = Set(try (0..<40).map { _ in try fixture.insert(fixture.quarterHours(1)).id })
        let second = try PostgresConnection(url: fixture.url)
        let group = DispatchGroup()
        nonisolated(unsafe) var claimedA: [PurchaseOutbox.DueDispatch] = []
        nonisolated(unsafe) var claimedB: [PurchaseOutbox.DueDispatch] = []
        let connectionA = fixture.connection
        DispatchQueue.global().async(group: group) {
            for _ in 0..<4 { claimedA += (try? outbox.claimDispatches(limit: 7, lease: .seconds(60), on: connectionA)) ?? [] }
        }
        DispatchQueue.global().async(group: group) {
            for _ in 0..<4 { claimedB += (try? outbox.claimDispatches(limit: 7, lease: .seconds(60), on: second)) ?? [] }
        }
        group.wait()
        let a = Set(claimedA.map(\.id)), b = Set(claimedB.map(\.id))
        #expect(a.isDisjoint(with: b))
        #expect(a.union(b) == ids)
        #expect(claimedA.count + claimedB.count == 40)
        // Leased: nothing is due again until the lease runs out.
        #expect(try outbox.claimDispatches(limit: 100, lease: .seconds(60), on: fixture.connection).isEmpty)
        let claim = try #require(claimedA.first)
        #expect(claim.organizationSlug == "trebol" && claim.retailerExternalID == "123" && claim.username == "trebolenergia")
        #expect(claim.rowCount == 1 && claim.attempts == 0)
    }

    @Test func anExpiredLeaseMakesThePurchaseDueAgain() throws {
        let id = try fixture.insert(fixture.quarterHours(1)).id
        #expect(try outbox.claimDispatches(limit: 10, lease: .milliseconds(1), on: fixture.connection).map(\.id) == [id])
        Thread.sleep(forTimeInterval: 0.01)
        try fixture.connection.execute("SELECT 1")  // a new statement, a new now()
        #expect(try outbox.claimDispatches(limit: 10, lease: .seconds(60), on: fixture.connection).map(\.id) == [id])
    }

    @Test func retryKeepsItPendingWithTheErrorShown() throws {
        let id = try fixture.insert(fixture.quarterHours(1)).id
        _ = try outbox.claimDispatches(limit: 10, lease: .seconds(60), on: fixture.connection)
        try outbox.scheduleDispatchRetry(id, after: .milliseconds(1), error: "workflow engine unreachable", on: fixture.connection)
        let pending = try record(id)
        #expect(pending.status == .pending && pending.error == "workflow engine unreachable" && pending.dispatchAttempts == 1)
        Thread.sleep(forTimeInterval: 0.01)
        let again = try outbox.claimDispatches(limit: 10, lease: .seconds(60), on: fixture.connection)
        #expect(again.map(\.id) == [id] && again[0].attempts == 1)
    }

    @Test func submittedThenPolledToCompletion() throws {
        let id = try fixture.insert(fixture.quarterHours(1)).id
        _ = try outbox.claimDispatches(limit: 10, lease: .seconds(60), on: fixture.connection)
        try outbox.scheduleDispatchRetry(id, after: .zero, error: "boom", on: fixture.connection)
        #expect(try outbox.markSubmitted(id, engine: "argo", workflowName: "purchase-x", pollAfter: .zero, on: fixture.connection))
        #expect(try outbox.markSubmitted(id, engine: "argo", workflowName: "purchase-x", pollAfter: .zero, on: fixture.connection) == false)
        var current = try record(id)
        #expect(current.status == .submitted && current.error == "" && current.engine == "argo" && current.workflowName == "purchase-x")
        #expect(current.submittedAt != nil && current.dispatchAttempts == 2)
        #expect(try outbox.claimDispatches(limit: 10, lease: .seconds(60), on: fixture.connection).isEmpty)

        let polls = try outbox.claimPolls(limit: 10, lease: .seconds(60), on: fixture.connection)
        #expect(polls == [PurchaseOutbox.DuePoll(id: id, workflowName: "purchase-x", status: .submitted, pollFailures: 0)])
        let started = Date(timeIntervalSince1970: 1_800_000_000)
        #expect(try outbox.applyWorkflowStatus(id, status: .running, startedAt: started, nextPollAfter: .zero, on: fixture.connection) == .running)
        #expect(try outbox.applyWorkflowStatus(id, status: .submitted, nextPollAfter: .zero, on: fixture.connection) == .running)
        #expect(try outbox.applyWorkflowStatus(id, status: .completed, nextPollAfter: .zero, on: fixture.connection) == .completed)
        #expect(try outbox.applyWorkflowStatus(id, status: .failed, message: "late", nextPollAfter: .zero, on: fixture.connection) == .completed)
        current = try record(id)
        #expect(current.status == .completed && current.error == "" && current.startedAt == started && current.finishedAt != nil)
        #expect(try outbox.claimPolls(limit: 10, lease: .seconds(60), on: fixture.connection).isEmpty)
        #expect(try outbox.applyWorkflowStatus(UUID(), status: .running, nextPollAfter: nil, on: fixture.connection) == nil)
    }

    @Test func failedWorkflowShowsItsMessage() throws {
        let id = try fixture.insert(fixture.quarterHours(1)).id
        try outbox.markSubmitted(id, engine: "amqp", workflowName: WorkflowNaming.name(for: id), pollAfter: nil, on: fixture.connection)
        #expect(try outbox.claimPolls(limit: 10, lease: .seconds(60), on: fixture.connection).isEmpty)  // amqp reports by itself
        #expect(try outbox.applyWorkflowStatus(id, status: .failed, message: "step load-schedule failed", nextPollAfter: nil,
                                               on: fixture.connection) == .failed)
        let current = try record(id)
        #expect(current.status == .failed && current.error == "step load-schedule failed" && current.finishedAt != nil)
    }

    @Test func statusUpdateOvertakingTheDispatchStillGetsTheName() throws {
        let id = try fixture.insert(fixture.quarterHours(1)).id
        #expect(try outbox.applyWorkflowStatus(id, status: .running, nextPollAfter: nil, on: fixture.connection) == .running)
        #expect(try outbox.markSubmitted(id, engine: "amqp", workflowName: "purchase-y", pollAfter: nil, on: fixture.connection))
        let current = try record(id)
        #expect(current.status == .running && current.workflowName == "purchase-y" && current.engine == "amqp")
        #expect(try outbox.claimDispatches(limit: 10, lease: .seconds(60), on: fixture.connection).isEmpty)
    }

    @Test func refusedDispatchFailsThePurchase() throws {
        let id = try fixture.insert(fixture.quarterHours(1)).id
        try outbox.markDispatchRefused(id, error: "workflow engine refused the submission: bad parameter", on: fixture.connection)
        let current = try record(id)
        #expect(current.status == .failed && current.error == "workflow engine refused the submission: bad parameter")
        #expect(try outbox.claimDispatches(limit: 10, lease: .seconds(60), on: fixture.connection).isEmpty)
    }

    @Test func pollFailuresAreCounted() throws {
        let id = try fixture.insert(fixture.quarterHours(1)).id
        try outbox.markSubmitted(id, engine: "argo", workflowName: "w", pollAfter: .zero, on: fixture.connection)
        _ = try outbox.claimPolls(limit: 10, lease: .seconds(60), on: fixture.connection)
        try outbox.schedulePoll(id, after: .zero, countingFailure: true, on: fixture.connection)
        try fixture.connection.execute("SELECT 1")
        #expect(try outbox.claimPolls(limit: 10, lease: .seconds(60), on: fixture.connection).map(\.pollFailures) == [1])
    }
}
