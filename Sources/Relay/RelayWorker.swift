import AMQP
import ESM
import Foundation
import Messaging
import Observability
import Postgres
import Synchronization
import Timekeeping
import TradingCore

/// Relays PENDING commands to the ESM from the database (an outbox), on a thread of its own with
/// its own PostgreSQL connection; restart-safe, since everything it needs is in `command_log`.
///
/// Each round claims due commands one at a time, right before calling the ESM for each with the
/// command's id as idempotency key, and records the outcome under the claim's token as soon as it
/// is known. A command this process recorded comes from the in-process handoff and is claimed by
/// its id (`CommandStore.claim(id:)`); the others are found by the due search
/// (`CommandStore.claimDue`), which the workers run at most once per `pollInterval` unless it
/// keeps finding work. Both claims take the same lease and token (`FOR UPDATE SKIP LOCKED`). The
/// lease covers the ESM client's whole call deadline, so another worker or replica never claims
/// a command while its call may still be running; a crash mid-call leaves it PENDING, to be sent
/// again after the lease under the same idempotency key (so the ESM still executes it once), and
/// a worker that stalled past its lease finds its token replaced and records nothing.
final class RelayWorker: @unchecked Sendable {
    // @unchecked Sendable: `database` is touched only by the worker's thread.
    private let index: Int
    private let databaseURL: String
    private let options: RelayOptions
    private let esmClients: any ESMClientProvider
    private let organizationIDs: @Sendable () -> [UUID]
    private let metrics: RelayMetrics
    private let log: Logger
    private let wakeup: RelayWakeup
    private let eventWakeup: RelayWakeup
    private let handoff: RelayHandoff
    private let dueSearches: DueSearchSchedule
    private let retryBackoff: Backoff
    let thread: WorkerThread
    private var database: PostgresConnection?

    /// - Parameter index: worker 0 also runs the ack-timeout sweep.
    init(index: Int, databaseURL: String, options: RelayOptions, esmClients: any ESMClientProvider,
         organizationIDs: @escaping @Sendable () -> [UUID], metrics: RelayMetrics, log: Logger,
         wakeup: RelayWakeup, eventWakeup: RelayWakeup, handoff: RelayHandoff, dueSearches: DueSearchSchedule) {
        self.index = index
        self.databaseURL = databaseURL
        self.options = options
        self.esmClients = esmClients
        self.organizationIDs = organizationIDs
        self.metrics = metrics
        self.log = log.with(["relay.worker": String(index)])
        self.wakeup = wakeup
        self.eventWakeup = eventWakeup
        self.handoff = handoff
        self.dueSearches = dueSearches
        retryBackoff = Backoff(initial: options.retryInitial, maximum: options.retryMaximum, multiplier: 2, jitter: 0.2)
        thread = WorkerThread(name: "relay worker \(index)", onStop: { wakeup.signal(1) })
    }

    func start() {
        thread.start { [self] in run() }
    }

    private var stopping: Bool { thread.isStopping }

    private func run() {
        var failureBackoff = options.failureBackoffInitial
        var lastSweep = ContinuousClock.now
        var roundWasFull = false
        while !stopping {
            if !roundWasFull { wakeup.wait(timeout: options.pollInterval) }
            if stopping { break }
            do {
                let organizations = organizationIDs()
                let handled = try relayRound(organizations)
                roundWasFull = handled >= options.relayBatch
                if index == 0, ContinuousClock.now - lastSweep >= options.sweepInterval {
                    lastSweep = .now
                    try sweepAckTimeouts(organizations)
                }
                failureBackoff = options.failureBackoffInitial
            } catch {
                database = nil
                roundWasFull = false
                metrics.update { $0.recordFailure(error) }
                log.warning("relay round failed; retrying", ["error": String(describing: error)])
                thread.sleep(failureBackoff)
                failureBackoff = min(failureBackoff * 2, options.failureBackoffMaximum)
            }
        }
        database = nil
    }

    private func connection() throws -> PostgresConnection {
        if let database, database.isHealthy { return database }
        let fresh = try PostgresConnection(url: databaseURL)
        try RelayWorker.preferIndexScans(fresh)
        try RelayWorker.commitWithoutWaitingForDisk(fresh)
        database = fresh
        return fresh
    }

    /// What one relayed command changes in the metrics, once its outcome is stored.
    private enum Result {
        case relayed(latency: Double), rejectedByESM, expired, failed, retry(ESMError.Kind)
        /// Another claimer (after a lease ran out) recorded an outcome first.
        case superseded
    }

    /// Relays up to `relayBatch` commands, claiming each one right before sending it (so its
    /// lease and its `validUntil` check are fresh when the ESM is called). A command the ESM took
    /// is recorded RELAYED in the same statement as the claim of the next handed-over command
    /// (`CommandStore.markRelayed(_:claimingNext:)`), else on its own. Returns how many it
    /// claimed.
    private func relayRound(_ organizations: [UUID]) throws -> Int {
        guard !organizations.isEmpty else { return 0 }
        let connection = try connection()
        // After one ESM call of a round found the ESM unavailable, the organisation's other
        // commands of the round wait too, rather than each waiting out its own timeout.
        var unavailable: [UUID: (kind: ESMError.Kind, reason: String)] = [:]
        var results: [Result] = []
        var accepted: CommandStore.DueCommand?
        defer { record(results) }
        var claimed = 0
        while claimed < options.relayBatch, let command = try claimNext(organizations, recording: &accepted, into: &results,
                                                                        on: connection) {
            claimed += 1
            switch try relay(command, unavailable: &unavailable, on: connection) {
            case .accepted: accepted = command
            case .done(let result): results.append(result)
            }
        }
        try recordRelayed(&accepted, into: &results, on: connection)
        return claimed
    }

    /// The next command to relay: from the due search when it is this worker's turn and it finds
    /// one, else the oldest handed-over command still claimable; nil when neither has one.
    /// `accepted` (the ESM took it, RELAYED not yet recorded) is recorded on the way.
    private func claimNext(_ organizations: [UUID], recording accepted: inout CommandStore.DueCommand?, into results: inout [Result],
                           on connection: PostgresConnection) throws -> CommandStore.DueCommand? {
        if dueSearches.takeTurn() {
            try recordRelayed(&accepted, into: &results, on: connection)
            if let found = try CommandStore.claimDue(
                organizationIDs: organizations, limit: 1, lease: options.claimLease, maximumRelayWindow: options.maximumRelayWindow,
                handoffGrace: options.handoffGrace, on: connection).first {
                // A backlog the handoff does not know of (a restart, another replica's commands):
                // searched one after another, but never ahead of the handoff for long.
                if handoff.isEmpty { dueSearches.searchAgain() }
                return found
            }
        }
        while !stopping, let id = handoff.take() {
            // nil: a due search (here or in another replica) claimed it first, or it is done.
            let claimed: CommandStore.DueCommand?
            if let relayed = accepted {
                let both = try CommandStore.markRelayed(relayed, claimingNext: id, organizationIDs: organizations,
                                                        lease: options.claimLease, maximumRelayWindow: options.maximumRelayWindow,
                                                        on: connection)
                accepted = nil
                results.append(both.relayedLatency.map { .relayed(latency: $0) } ?? .superseded)
                claimed = both.claimed
            } else {
                claimed = try CommandStore.claim(id: id, organizationIDs: organizations, lease: options.claimLease,
                                                 maximumRelayWindow: options.maximumRelayWindow, on: connection)
            }
            if let claimed { return claimed }
        }
        return nil
    }

    /// Records `accepted` RELAYED on its own statement, if there is one.
    private func recordRelayed(_ accepted: inout CommandStore.DueCommand?, into results: inout [Result],
                               on connection: PostgresConnection) throws {
        guard let relayed = accepted else { return }
        accepted = nil
        results.append(try CommandStore.markRelayed(relayed, on: connection).map { .relayed(latency: $0) } ?? .superseded)
    }

    private func record(_ results: [Result]) {
        guard !results.isEmpty else { return }
        var latencies: [Double] = []
        metrics.update { m in
            for result in results {
                switch result {
                case .relayed(let latency):
                    m.relayed += 1
                    latencies.append(latency)
                case .rejectedByESM:
                    m.rejected += 1
                    m.rejectedByESM += 1
                case .expired: m.expired += 1
                case .failed: m.failed += 1
                case .retry(let kind): m.retries[kind, default: 0] += 1
                case .superseded: break
                }
            }
        }
        metrics.observeRelayLatency(latencies)
        if results.contains(where: { if case .retry = $0 { false } else { true } }) { eventWakeup.signal() }
    }

    /// What relaying one command came to: the ESM took it (RELAYED is recorded by the caller),
    /// or its outcome is recorded.
    private enum Step {
        case accepted
        case done(Result)
    }

    private func relay(_ command: CommandStore.DueCommand, unavailable: inout [UUID: (kind: ESMError.Kind, reason: String)],
                       on connection: PostgresConnection) throws -> Step {
        if command.isExpired {
            let applied = try CommandStore.markTerminal(command, status: .expired,
                                                        reason: "validUntil passed before the ESM accepted the command",
                                                        countsAsAttempt: false, on: connection)
            return .done(applied ? .expired : .superseded)
        }
        if command.isOverdue {
            let applied = try CommandStore.markTerminal(
                command, status: .failed, reason: "not relayed within \(Int(options.maximumRelayWindow.inSeconds)) s; last attempts failed",
                countsAsAttempt: false, on: connection)
            return .done(applied ? .failed : .superseded)
        }
        let outcome: ESMCommandOutcome
        if let earlier = unavailable[command.organizationID] {
            outcome = .unavailable(kind: earlier.kind, reason: earlier.reason)
        } else {
            do {
                let client = try esmClients.client(for: command.organizationID)
                // The lease must outlast the call, or another worker would send the command again
                // while this one still waits for the ESM.
                let needed = client.callDeadline + options.leaseMargin
                if needed > options.claimLease, try !CommandStore.extendLease(command, lease: needed, on: connection) {
                    return .done(.superseded)
                }
                outcome = client.sendCommand(ESMCommandRequest(
                    esmPlantID: command.esmPlantID, idempotencyKey: command.idempotencyKey, messageID: command.messageID,
                    correlationID: command.correlationID, commandType: command.commandType, payloadJSON: command.payloadJSON,
                    validUntil: command.validUntil))
            } catch {
                outcome = .unavailable(kind: (error as? ESMError)?.kind ?? .invalidConfiguration, reason: "no ESM client: \(error)")
            }
        }
        switch outcome {
        case .accepted:
            return .accepted
        case .rejected(let status, let reason):
            let applied = try CommandStore.markTerminal(command, status: .rejected,
                                                        reason: "ESM rejected the command (HTTP \(status)): \(reason)",
                                                        countsAsAttempt: true, on: connection)
            return .done(applied ? .rejectedByESM : .superseded)
        case .unavailable(let kind, let reason):
            unavailable[command.organizationID] = (kind, reason)
            let delay = retryBackoff.delay(forAttempt: command.attempts)
            guard try CommandStore.scheduleRetry(command, after: delay, error: reason, on: connection) else { return .done(.superseded) }
            log.info("command relay deferred", ["command.id": command.id.uuidString.lowercased(), "error": reason,
                                                "retry_in_ms": String(Int(delay.inSeconds * 1000))])
            return .done(.retry(kind))
        }
    }

    /// Every relay statement finds its rows through an index (by id, or walking a small partial
    /// index in order), so the relay's sessions plan without sequential scans and without
    /// bitmaps:
    /// - a plan made while `command_log` and `command_events` still look empty (a fresh database,
    ///   before autovacuum's first analyze) prefers a sequential scan, and a prepared statement
    ///   (or the foreign-key check behind every event a trigger writes) keeps that plan while the
    ///   table grows: each run then reads the whole table;
    /// - the partial indexes (`command_log_due`, `command_log_awaiting_ack`,
    ///   `command_events_unpublished`) churn: every relayed command leaves a dead entry until
    ///   vacuum. A plain index scan marks those entries dead on first sight so later scans skip
    ///   them; a bitmap scan (which the planner picks on its low row estimates) never does, and
    ///   then visits every dead entry's heap row on every claim.
    static func preferIndexScans(_ connection: PostgresConnection) throws {
        try connection.execute("SET enable_bitmapscan = off")
        try connection.execute("SET enable_seqscan = off")
    }

    /// Claims and outcomes commit without waiting for the disk: one flush per statement would
    /// bound the relay by the disk. What a database crash can lose of them is redone safely: a
    /// lost lease lets the command be claimed again at once, a lost outcome leaves it PENDING
    /// until its lease runs out, and it is then sent again under the same idempotency key (the
    /// ESM answers as before without executing twice), expired again, or rejected again. The
    /// consumers, which ack partners' messages, keep synchronous commits.
    static func commitWithoutWaitingForDisk(_ connection: PostgresConnection) throws {
        try connection.execute("SET synchronous_commit = off")
    }

    private func sweepAckTimeouts(_ organizations: [UUID]) throws {
        guard !organizations.isEmpty else { return }
        let timedOut = try CommandStore.timeOutAcks(organizationIDs: organizations, timeout: options.ackTimeout, on: try connection())
        guard timedOut > 0 else { return }
        metrics.update { $0.ackTimeouts += timedOut }
        eventWakeup.signal()
    }

}
