import ArgoSimulator
import Foundation
import Observability
import PurchaseTestSupport
import Postgres
import PurchaseCore
import Purchases
import TestSupport
import Testing

/// The dispatcher with Argo: exactly one workflow per purchase through outages, throttling and a
/// second replica, and statuses followed to the end.
@Suite final class ArgoDispatchTests {
    let fixture: PurchasesFixture
    let argo: ArgoFixture
    var dispatchers: [PurchaseDispatcher] = []
    let store = PurchaseStore()

    init() throws {
        fixture = try PurchasesFixture()
        var knobs = ArgoSimulatorKnobs()
        knobs.pendingMilliseconds = 50
        knobs.runningMilliseconds = 100
        argo = try ArgoFixture(knobs: knobs)
    }

    deinit {
        for dispatcher in dispatchers { dispatcher.requestStop() }
        for dispatcher in dispatchers { dispatcher.waitUntilFinished(timeout: .seconds(10)) }
    }

    private func startDispatcher(options: PurchaseDispatchOptions = ArgoFixture.quickOptions, log: Logger = .silent) throws {
        let dispatcher = PurchaseDispatcher(databaseURL: fixture.url, engine: try argo.engine(), options: options, log: log)
        dispatchers.append(dispatcher)
        dispatcher.start()
    }

    private func records(_ ids: [UUID]) throws -> [PurchaseRecord] {
        try ids.map { try #require(try store.purchase(id: $0, organizationID: fixture.organization, on: fixture.connection)) }
    }

    /// How many of `ids` are in one of `statuses` (one query, cheap to poll).
    private func count(_ ids: [UUID], in statuses: [PurchaseStatus]) throws -> Int {
        try fixture.connection.query("SELECT count(*) FROM purchases WHERE id = ANY($1::uuid[]) AND status = ANY($2::text[])",
                                     [.uuidArray(ids), .textArray(statuses.map(\.rawValue))])[0].int(0)
    }

    /// Each purchase has exactly one workflow, named after it, and no other workflow exists.
    private func expectOneWorkflowEach(_ ids: [UUID]) {
        let names = Set(argo.simulator.workflows.values.map(\.name))
        #expect(names == Set(ids.map(WorkflowNaming.name(for:))))
        #expect(argo.simulator.stats.workflowsCreated == ids.count)
    }

    @Test func fiftyPurchasesRunToCompletion() throws {
        let ids = try (0..<50).map { _ in try fixture.insert(fixture.quarterHours(96)).id }
        try startDispatcher()
        try waitUntil("all completed") { try count(ids, in: [.completed]) == ids.count }
        expectOneWorkflowEach(ids)
        let done = try records(ids)
        #expect(done.allSatisfy { $0.engine == "argo" && $0.error == "" && $0.submittedAt != nil && $0.startedAt != nil && $0.finishedAt != nil })
        #expect(done.allSatisfy { $0.workflowName == WorkflowNaming.name(for: $0.id) })
    }

    @Test func failedWorkflowsFailTheirPurchase() throws {
        argo.simulator.knobs = { var knobs = argo.simulator.knobs; knobs.failureRate = 1; return knobs }()
        let id = try fixture.insert(fixture.quarterHours(4)).id
        try startDispatcher()
        try waitUntil("failed") { try records([id])[0].status == .failed }
        #expect(try records([id])[0].error.contains("simulated failure"))
    }

    /// The engine is away for a minute: purchases stay pending with the reason shown and logged
    /// with their ids, then each goes through once.
    @Test func engineDownForAMinuteThenUp() throws {
        try argo.simulator.setDown(true)
        let ids = try (0..<20).map { _ in try fixture.insert(fixture.quarterHours(4)).id }
        let capture = LogCapture()
        try startDispatcher(log: Logger(level: .info, sink: capture.sink))
        try waitUntil("failures shown") { try records(ids).allSatisfy { $0.status == .pending && $0.dispatchAttempts >= 1 } }
        #expect(try records(ids).allSatisfy { $0.error.hasPrefix("Workflow submission failed (attempt ") && $0.error.contains("Argo could not be reached") })
        let failureLines = capture.lines.filter { $0.contains("purchase dispatch failed; retrying") }
        #expect(Set(ids.map { $0.uuidString.lowercased() }).allSatisfy { id in failureLines.contains { $0.contains(id) } })
        Thread.sleep(forTimeInterval: 60)  // the outage itself, not a wait for a condition
        // Still pending, retried with backoff all along (capped at 0.5 s here), nothing lost.
        #expect(try records(ids).allSatisfy { $0.status == .pending && $0.dispatchAttempts >= 5 })
        try argo.simulator.setDown(false)
        try waitUntil("all completed") { try count(ids, in: [.completed]) == ids.count }
        expectOneWorkflowEach(ids)
        #expect(argo.simulator.stats.alreadyExists == 0)
    }

    @Test func throttledDispatchesWaitAndGoThrough() throws {
        argo.simulator.knobs = { var knobs = argo.simulator.knobs; knobs.rateLimitPerSecond = 20; knobs.rateLimitBurst = 5; return knobs }()
        let ids = try (0..<30).map { _ in try fixture.insert(fixture.quarterHours(4)).id }
        try startDispatcher()
        try waitUntil("all submitted") { try count(ids, in: [.pending]) == 0 }
        #expect(argo.simulator.stats.throttled > 0)
        expectOneWorkflowEach(ids)
    }

    /// Two replicas' dispatchers on one database: disjoint claims, so not even a repeated submit.
    @Test func secondReplicaRunningTheOutbox() throws {
        let ids = try (0..<200).map { _ in try fixture.insert(fixture.quarterHours(1)).id }
        var options = ArgoFixture.quickOptions
        options.batchSize = 8
        try startDispatcher(options: options)
        try startDispatcher(options: options)
        try waitUntil("all submitted") { try count(ids, in: [.pending]) == 0 }
        expectOneWorkflowEach(ids)
        #expect(argo.simulator.stats.alreadyExists == 0)
        #expect(argo.simulator.stats.submits == 200)
    }

    /// The answer to a submit is lost (the lease runs out while Argo is slow to answer): the retry
    /// gets AlreadyExists and the purchase is recorded as submitted, with one workflow.
    @Test func lostAnswerIsRecoveredByAlreadyExists() throws {
        argo.simulator.knobs = { var knobs = argo.simulator.knobs; knobs.submitResponseDelayMilliseconds = 3000; return knobs }()
        let id = try fixture.insert(fixture.quarterHours(4)).id
        var options = ArgoFixture.quickOptions
        options.lease = .seconds(1)
        let slow = PurchaseDispatcher(databaseURL: fixture.url, engine: try argo.engine(timeout: .milliseconds(500)), options: options,
                                      log: .silent)
        dispatchers.append(slow)
        slow.start()
        try waitUntil("workflow created") { argo.simulator.workflows.count == 1 }
        argo.simulator.knobs = { var knobs = argo.simulator.knobs; knobs.submitResponseDelayMilliseconds = 0; return knobs }()
        try waitUntil("submitted") { try records([id])[0].status != .pending }
        #expect(argo.simulator.stats.alreadyExists >= 1)
        expectOneWorkflowEach([id])
    }
}
