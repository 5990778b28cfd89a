/// The decisions of one ingest consumer, as a pure state machine: no socket, no database, no
/// clock (every event carries `now`). `IngestConsumer` reads deliveries, talks to its writer and
/// the broker, and does what `next(now:outcomeReady:)` says; this type alone decides when a batch
/// closes, when it goes to the writer, when a failed batch is retried, and when the loop ends.
///
/// Cycle: gather deliveries until the batch is full (`maximumDeliveries` or `maximumRows`) or
/// `linger` has passed since its first delivery while the writer is idle; hand it to the writer;
/// while it writes, keep gathering the next (so batches grow under load); when the writer answers,
/// acknowledge a stored batch or keep a failed one for a retry after the backoff delay. One batch
/// is written at a time, so acks stay in delivery order. After the broker connection was replaced,
/// the deliveries held are void (they come back redelivered) and a batch in flight is discarded
/// when it returns: its acks could only fail, and its dead letters would be sent twice.
struct IngestCycle<Delivery> {
    struct Limits: Equatable {
        var maximumDeliveries: Int
        var maximumRows: Int
        var linger: Duration
        /// How long to wait for a delivery while the writer is idle and nothing is gathered
        /// (so that heartbeats and stop requests are served).
        var idlePoll: Duration = .milliseconds(200)
        /// How long to wait for a delivery while the writer is busy, between looks at its outcome.
        var busyPoll: Duration = .milliseconds(5)
        /// How long to block on the writer's outcome when nothing else can be done.
        var outcomeWait: Duration = .milliseconds(100)
        /// The longest sleep while a failed batch waits for its retry.
        var retryPoll: Duration = .milliseconds(100)
        /// While a full batch waits on a slow writer or for its retry, the consumer still serves
        /// the broker connection this often (librabbitmq sends and checks heartbeats only inside
        /// its calls): without it a database outage longer than two heartbeats drops the
        /// connection and the whole prefetch window comes back. Deliveries read meanwhile stay
        /// buffered (at most the prefetch window) for the next batch.
        var brokerService: Duration = .seconds(1)
    }

    /// What the consumer does next.
    enum Action {
        /// Wait up to `timeout` for a delivery, then report `received` or nothing.
        case gather(timeout: Duration)
        /// Hand this batch to the writer (it is now in flight).
        case submit([Delivery])
        /// Take the writer's outcome, waiting up to `timeout` for it.
        case takeOutcome(timeout: Duration)
        /// Nothing to read or write: wait (a failed batch's retry is not due yet).
        case sleep(Duration)
        /// Serve the broker connection's heartbeats without taking a delivery.
        case serviceBroker
        /// Stopping and nothing is in flight: leave the loop.
        case finish
    }

    /// What to do with the writer's answer.
    enum Settlement: Equatable {
        /// Dead-letter the refused parts and ack the batch.
        case acknowledge
        /// The batch belongs to a replaced connection: drop it (its deliveries come back).
        case discard
        /// Nothing was stored for certain: the batch waits `after` and is submitted again.
        case retry(after: Duration)
    }

    /// How a failed write is classified by the writer (which knows the database).
    enum WriteFailure: Equatable {
        /// PostgreSQL refused the rows for good (a permanent SQLSTATE on a healthy connection).
        case refused
        /// Anything else: the connection, a timeout, a retriable SQLSTATE.
        case transient
    }

    /// What the writer does about a failed write: the one "retry or bisect" decision.
    enum WriteDecision: Equatable {
        /// Split the batch until the refused delivery is alone; dead-letter it, store the rest.
        case bisect
        /// Give the whole batch back; it is retried after backoff (what committed is then a no-op).
        case retryWholeBatch
    }

    static func decision(for failure: WriteFailure) -> WriteDecision {
        switch failure {
        case .refused: .bisect
        case .transient: .retryWholeBatch
        }
    }

    let limits: Limits
    private(set) var gathering: [Delivery] = []
    private(set) var gatheringRows = 0
    private var gatheringDeadline: ContinuousClock.Instant?
    /// The batch the writer holds, by the connection generation it was read on.
    private(set) var inFlightGeneration: Int?
    private(set) var failed: [Delivery]?
    private var retryAt: ContinuousClock.Instant?
    /// Failures since the last stored batch: the backoff attempt number.
    private(set) var consecutiveFailures = 0
    private(set) var generation = 0
    private(set) var isStopping = false
    /// When the consumer last went to the broker (a `gather` or `serviceBroker`).
    private var lastBrokerCall: ContinuousClock.Instant?

    init(limits: Limits) {
        self.limits = limits
    }

    var isFull: Bool { gatheringRows >= limits.maximumRows || gathering.count >= limits.maximumDeliveries }
    var isWriting: Bool { inFlightGeneration != nil }

    /// A batch goes to the writer when full, when stopping, or once `linger` has passed.
    func isClosed(now: ContinuousClock.Instant) -> Bool {
        guard !gathering.isEmpty else { return false }
        if isStopping || isFull { return true }
        return gatheringDeadline.map { now >= $0 } ?? false
    }

    /// The next step. `outcomeReady`: the writer has posted an outcome.
    mutating func next(now: ContinuousClock.Instant, outcomeReady: Bool) -> Action {
        let action = decide(now: now, outcomeReady: outcomeReady)
        switch action {
        case .gather, .serviceBroker: lastBrokerCall = now
        default: break
        }
        return action
    }

    /// Whether the broker connection has gone unserviced for `brokerService`.
    private func brokerServiceDue(_ now: ContinuousClock.Instant) -> Bool {
        !isStopping && now - (lastBrokerCall ?? now) >= limits.brokerService
    }

    private mutating func decide(now: ContinuousClock.Instant, outcomeReady: Bool) -> Action {
        if isStopping && !isWriting && (failed != nil || gathering.isEmpty) { return .finish }
        if isWriting {
            if outcomeReady { return .takeOutcome(timeout: .zero) }
            if isFull && brokerServiceDue(now) { return .serviceBroker }
            if isFull || isStopping { return .takeOutcome(timeout: limits.outcomeWait) }
            return .gather(timeout: limits.busyPoll)
        }
        if let batch = failed {
            if !isStopping, let retryAt, now >= retryAt {
                failed = nil
                self.retryAt = nil
                inFlightGeneration = generation
                return .submit(batch)
            }
            if isFull && brokerServiceDue(now) { return .serviceBroker }
            if isFull || isStopping {
                return .sleep(min(max((retryAt ?? now) - now, .milliseconds(1)), limits.retryPoll))
            }
            // Gather more while the retry is not due, looking at its timer between polls.
            return .gather(timeout: min(limits.busyPoll, max((retryAt ?? now) - now, .zero)))
        }
        if isClosed(now: now) {
            // The storage goes with the batch (no copy); the next batch grows a buffer of its own.
            let batch = gathering
            gathering = []
            gatheringRows = 0
            gatheringDeadline = nil
            inFlightGeneration = generation
            return .submit(batch)
        }
        if let deadline = gatheringDeadline { return .gather(timeout: max(deadline - now, .zero)) }
        return .gather(timeout: limits.idlePoll)
    }

    /// A delivery was read (and decoded into `rows` rows) at `now`.
    mutating func received(_ delivery: Delivery, rows: Int, now: ContinuousClock.Instant) {
        if gathering.isEmpty { gatheringDeadline = now.advanced(by: limits.linger) }
        gatheringRows += rows
        gathering.append(delivery)
    }

    /// The writer stored the batch in flight.
    mutating func stored() -> Settlement {
        let batchGeneration = inFlightGeneration
        inFlightGeneration = nil
        guard batchGeneration == generation else { return .discard }
        consecutiveFailures = 0
        return .acknowledge
    }

    /// The writer failed the batch in flight; `delay` is the backoff for `consecutiveFailures`
    /// (read before this call), chosen by the caller (it may be jittered).
    mutating func writeFailed(_ batch: [Delivery], now: ContinuousClock.Instant, delay: Duration) -> Settlement {
        let batchGeneration = inFlightGeneration
        inFlightGeneration = nil
        consecutiveFailures += 1
        guard batchGeneration == generation else { return .discard }
        failed = batch
        retryAt = now.advanced(by: delay)
        return .retry(after: delay)
    }

    /// The broker connection failed or was replaced: what is held is void.
    mutating func connectionReplaced() {
        generation += 1
        gathering = []
        gatheringRows = 0
        gatheringDeadline = nil
        failed = nil
        retryAt = nil
    }

    /// A broker failure on this consumer's side (dead letters not confirmed, an ack refused).
    mutating func brokerFailed() {
        consecutiveFailures += 1
        connectionReplaced()
    }

    /// Stop after the batch in flight: what is gathered goes to the writer once, a failed batch
    /// is left unacked (redelivered).
    mutating func requestStop() {
        isStopping = true
    }
}

extension IngestCycle.Action: Equatable where Delivery: Equatable {}
