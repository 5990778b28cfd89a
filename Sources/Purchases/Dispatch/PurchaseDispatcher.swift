import AMQP
import Foundation
import Messaging
import Observability
import Postgres
import PurchaseCore
import Timekeeping

/// Hands stored purchases to the workflow engine, exactly once, and follows their workflows.
///
/// Runs on a thread of its own with its own PostgreSQL connection, from the `purchases` table
/// alone (the outbox), so a restart, a crash or a second replica needs nothing from memory:
/// - each round claims due pending purchases (`PurchaseOutbox.claimDispatches`: SKIP LOCKED and a
///   lease, so replicas get disjoint rows) and submits each under the workflow name derived from
///   its id; an engine that already has that name (409 AlreadyExists) means an earlier attempt
///   went through, so it is recorded as submitted, never submitted twice;
/// - a failed attempt leaves the purchase pending with the reason in its `error`, logged with the
///   purchase id, and retried with backoff (429 waits out `Retry-After`); the rest of the round
///   waits too, rather than each paying the same timeout;
/// - for an engine that is polled (Argo), due handed-over purchases have their workflow's phase
///   read and mapped onto the purchase's status, until it is terminal.
public final class PurchaseDispatcher: @unchecked Sendable {
    // @unchecked Sendable: `database` is touched only by the dispatcher's thread.
    private let databaseURL: String
    private let engine: any WorkflowEngine
    private let options: PurchaseDispatchOptions
    private let log: Logger
    private let metrics: MetricsRegistry?
    private let outbox = PurchaseOutbox()
    private let retryBackoff: Backoff
    private let wakeup = DispatchSemaphore(value: 0)
    let thread: WorkerThread
    private var database: PostgresConnection?

    public init(databaseURL: String, engine: any WorkflowEngine, options: PurchaseDispatchOptions = PurchaseDispatchOptions(),
                log: Logger, metrics: MetricsRegistry? = nil) {
        self.databaseURL = databaseURL
        self.engine = engine
        self.options = options
        self.log = log.with(["component": "purchase-dispatcher", "workflow.engine": engine.name])
        self.metrics = metrics
        retryBackoff = Backoff(initial: options.retryInitial, maximum: options.retryMaximum, multiplier: 2, jitter: 0.2)
        thread = WorkerThread(name: "purchase dispatcher", onStop: { [wakeup] in wakeup.signal() })
        metrics?.register("tradingd_purchase_dispatches_total", kind: .counter,
                          help: "Purchase dispatch attempts by outcome (submitted, already_exists, throttled, retry, refused)")
        metrics?.register("tradingd_purchase_status_polls_total", kind: .counter,
                          help: "Workflow status reads by outcome (updated, not_found, unavailable)")
        metrics?.register("tradingd_purchase_dispatcher_failures_total", kind: .counter,
                          help: "Dispatcher rounds that failed on the database and backed off")
    }

    public func start() {
        thread.start { [self] in run() }
    }

    /// A purchase was just committed: look now rather than at the next idle poll.
    public func wake() { wakeup.signal() }

    public func requestStop() { thread.requestStop() }

    /// Waits for the thread to finish its round; false on timeout.
    @discardableResult
    public func waitUntilFinished(timeout: Duration) -> Bool { thread.waitUntilFinished(timeout: timeout) }

    private var stopping: Bool { thread.isStopping }

    private func run() {
        var failureBackoff = options.failureBackoffInitial
        var busy = false
        while !stopping {
            if !busy { _ = wakeup.wait(timeout: .after(options.idlePoll)) }
            if stopping { break }
            do {
                let connection = try connection()
                let dispatched = try dispatchRound(on: connection)
                let polled = engine.statusPollInterval == nil ? 0 : try pollRound(on: connection)
                busy = dispatched >= options.batchSize || polled >= options.batchSize
                failureBackoff = options.failureBackoffInitial
            } catch {
                database = nil
                busy = false
                metrics?.increment("tradingd_purchase_dispatcher_failures_total")
                log.warning("purchase dispatch round failed; retrying", ["error": String(reflecting: error)])
                thread.sleep(failureBackoff)
                failureBackoff = min(failureBackoff * 2, options.failureBackoffMaximum)
            }
        }
        database = nil
    }

    private func connection() throws -> PostgresConnection {
        if let database, database.isHealthy { return database }
        let fresh = try PostgresConnection(url: databaseURL)
        database = fresh
        return fresh
    }

    // MARK: Dispatch

    /// Claims and submits one batch. - Returns: how many purchases it claimed.
    private func dispatchRound(on connection: PostgresConnection) throws -> Int {
        let due = try outbox.claimDispatches(limit: options.batchSize, lease: options.lease, on: connection)
        // After one answer said the engine is away or throttling, the rest of the round is
        // rescheduled without a call.
        var deferral: (delay: Duration?, reason: String)?
        for purchase in due where !stopping {
            let submission = WorkflowSubmission(purchaseID: purchase.id, organizationSlug: purchase.organizationSlug,
                                                retailerExternalID: purchase.retailerExternalID, username: purchase.username,
                                                rowCount: purchase.rowCount)
            if let deferral {
                let delay = deferral.delay ?? retryBackoff.delay(forAttempt: purchase.attempts)
                try retry(purchase, after: delay, reason: deferral.reason, outcome: "retry", on: connection)
                continue
            }
            switch engine.submit(submission) {
            case .accepted(let name):
                try recordSubmitted(purchase, workflowName: name, outcome: "submitted", on: connection)
            case .alreadyExists(let name):
                try recordSubmitted(purchase, workflowName: name, outcome: "already_exists", on: connection)
            case .throttled(let retryAfter, let reason):
                let delay = min(retryAfter, options.maximumRetryAfter)
                deferral = (delay, reason)
                try retry(purchase, after: delay, reason: reason, outcome: "throttled", on: connection)
            case .unavailable(let reason):
                deferral = (nil, reason)
                try retry(purchase, after: retryBackoff.delay(forAttempt: purchase.attempts), reason: reason, outcome: "retry",
                          on: connection)
            case .refused(let reason):
                try outbox.markDispatchRefused(purchase.id, error: "The workflow engine refused the purchase: \(reason)", on: connection)
                metrics?.increment("tradingd_purchase_dispatches_total", labels: ["outcome": "refused"])
                log.error("purchase refused by the workflow engine", ["purchase.id": Self.text(purchase.id), "error": reason])
            }
        }
        return due.count
    }

    private func recordSubmitted(_ purchase: PurchaseOutbox.DueDispatch, workflowName: String, outcome: String,
                                 on connection: PostgresConnection) throws {
        try outbox.markSubmitted(purchase.id, engine: engine.name, workflowName: workflowName, pollAfter: engine.statusPollInterval,
                                 on: connection)
        metrics?.increment("tradingd_purchase_dispatches_total", labels: ["outcome": outcome])
        log.info(outcome == "submitted" ? "purchase handed to the workflow engine"
                                        : "purchase already with the workflow engine (an earlier attempt went through)",
                 ["purchase.id": Self.text(purchase.id), "workflow.name": workflowName, "attempt": String(purchase.attempts + 1)])
    }

    private func retry(_ purchase: PurchaseOutbox.DueDispatch, after delay: Duration, reason: String, outcome: String,
                       on connection: PostgresConnection) throws {
        let attempt = purchase.attempts + 1
        let seconds = max(1, Int(delay.inSeconds.rounded(.up)))
        let shown = "Workflow submission failed (attempt \(attempt)); retrying in \(seconds) s: \(reason)"
        try outbox.scheduleDispatchRetry(purchase.id, after: delay, error: shown, on: connection)
        metrics?.increment("tradingd_purchase_dispatches_total", labels: ["outcome": outcome])
        log.warning("purchase dispatch failed; retrying", [
            "purchase.id": Self.text(purchase.id), "attempt": String(attempt), "error": reason,
            "retry_in_ms": String(Int(delay.inSeconds * 1000)),
        ])
    }

    // MARK: Status

    /// Reads the status of one batch of due workflows. - Returns: how many it claimed.
    private func pollRound(on connection: PostgresConnection) throws -> Int {
        guard let interval = engine.statusPollInterval else { return 0 }
        let due = try outbox.claimPolls(limit: options.batchSize, lease: options.lease, on: connection)
        var away: Duration?
        for poll in due where !stopping {
            if let away {
                try outbox.schedulePoll(poll.id, after: away, countingFailure: false, on: connection)
                continue
            }
            switch engine.status(ofWorkflow: poll.workflowName) {
            case .phase(let phase, let startedAt, let finishedAt):
                var message = ""
                if case .failed(let text) = phase { message = text }
                try outbox.applyWorkflowStatus(poll.id, status: phase.purchaseStatus, message: message, startedAt: startedAt,
                                               finishedAt: finishedAt, nextPollAfter: interval, on: connection)
                metrics?.increment("tradingd_purchase_status_polls_total", labels: ["outcome": "updated"])
                if phase.isTerminal {
                    log.info("purchase workflow finished", ["purchase.id": Self.text(poll.id), "workflow.name": poll.workflowName,
                                                            "status": phase.purchaseStatus.rawValue])
                }
            case .notFound:
                metrics?.increment("tradingd_purchase_status_polls_total", labels: ["outcome": "not_found"])
                if poll.pollFailures + 1 >= options.notFoundPollsBeforeFailing {
                    try outbox.applyWorkflowStatus(poll.id, status: .failed,
                                                   message: "The workflow \(poll.workflowName) no longer exists in the workflow engine.",
                                                   nextPollAfter: nil, on: connection)
                    log.error("purchase workflow vanished", ["purchase.id": Self.text(poll.id), "workflow.name": poll.workflowName])
                } else {
                    try outbox.schedulePoll(poll.id, after: interval, countingFailure: true, on: connection)
                }
            case .throttled(let retryAfter):
                away = min(retryAfter, options.maximumRetryAfter)
                try outbox.schedulePoll(poll.id, after: away!, countingFailure: false, on: connection)
            case .unavailable(let reason):
                metrics?.increment("tradingd_purchase_status_polls_total", labels: ["outcome": "unavailable"])
                away = max(interval, options.retryInitial)
                try outbox.schedulePoll(poll.id, after: away!, countingFailure: false, on: connection)
                log.warning("workflow status unavailable; polling later", ["purchase.id": Self.text(poll.id), "error": reason])
            }
        }
        return due.count
    }

    static func text(_ id: UUID) -> String { id.uuidString.lowercased() }
}
