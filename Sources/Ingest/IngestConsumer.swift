import AMQP
import Foundation
import Observability
import Postgres
import Synchronization
import TradingCore

/// One consumer of one queue (`P.telemetry` or `P.meters`) on a thread of its own, with its own
/// AMQP connection (a librabbitmq connection is not thread-safe), and an `IngestBatchWriter`
/// thread with its own PostgreSQL connection.
///
/// Cycle: gather deliveries until the batch is full or `linger` passes → decode each → hand the
/// batch to the writer (plant check, one statement or one transaction for every valid row) →
/// while it writes, gather the next → once it committed, publish rejected parts to the `.dlq`
/// with confirms and ack the batch with one `multiple` ack. Nothing is acked before its rows
/// committed, so a crash anywhere means redelivery, which the idempotent write absorbs. One batch
/// is written at a time, so acks stay in delivery order.
final class IngestConsumer<Pipeline: IngestPipeline>: IngestWorker, @unchecked Sendable {
    // @unchecked Sendable: the broker objects and batches are touched only by the consumer's own
    // thread (inside `run`); other threads use only `stopRequested` and `finished`.

    typealias Pending = IngestPendingDelivery<Pipeline.Item>

    let pipeline: Pipeline
    let queue: String
    let deadLetterQueue: String
    private let amqpURL: AMQPURL
    private let options: IngestOptions
    private let metrics: IngestMetrics
    private let log: Logger
    private let writer: IngestBatchWriter<Pipeline>
    private let stopRequested = Atomic<Bool>(false)
    private let finished = DispatchSemaphore(value: 0)

    private var connection: AMQPConnection?
    private var consumeChannel: AMQPChannel?
    private var publishChannel: AMQPChannel?
    private var consumerTag: String?

    init(pipeline: Pipeline, organizationID: UUID, queuePrefix: String, amqpURL: AMQPURL, databaseURL: String,
         options: IngestOptions, plants: PlantDirectory, metrics: IngestMetrics, log: Logger) {
        self.pipeline = pipeline
        self.queue = pipeline.kind.queueName(prefix: queuePrefix)
        self.deadLetterQueue = pipeline.kind.deadLetterQueueName(prefix: queuePrefix)
        self.amqpURL = amqpURL
        self.options = options
        self.metrics = metrics
        self.log = log
        self.writer = IngestBatchWriter(pipeline: pipeline, organizationID: organizationID, databaseURL: databaseURL,
                                        options: options, plants: plants, metrics: metrics, log: log, queue: queue)
    }

    func start() {
        writer.start()
        let thread = Thread { [self] in
            run()
            finished.signal()
        }
        thread.name = "ingest \(queue)"
        thread.start()
    }

    func requestStop() {
        stopRequested.store(true, ordering: .relaxed)
    }

    func waitUntilFinished(timeout: Duration) -> Bool {
        let milliseconds = max(0, timeout.clampedMilliseconds)
        return finished.wait(timeout: .now() + .milliseconds(milliseconds)) == .success
    }

    private var stopping: Bool { stopRequested.load(ordering: .relaxed) }

    // MARK: Loop

    /// Where the consumer stands: the batch being gathered, whether the writer holds one, and a
    /// batch whose write failed and waits for its retry.
    private struct LoopState {
        var gathering: [Pending] = []
        var gatheringRows = 0
        var gatheringDeadline: ContinuousClock.Instant?
        var inFlight = false
        var failed: [Pending]?
        var retryAt = ContinuousClock.now
        var backoff: Duration

        /// Tags of the old channel are void after a reconnect: those deliveries come back anyway.
        mutating func forgetDeliveries() {
            gathering = []
            gatheringRows = 0
            gatheringDeadline = nil
            failed = nil
        }
    }

    // Specialised for telemetry (the hot queue): generic code copied every delivery through value
    // witnesses and looked up generic metadata at run time (~15% of the consumer's CPU).
    @_specialize(where Pipeline == TelemetryPipeline)
    private func run() {
        var state = LoopState(backoff: options.initialBackoff)
        log.info("ingest consumer started", ["queue": queue])
        while true {
            if stopping && !state.inFlight && (state.failed != nil || state.gathering.isEmpty) { break }
            do {
                if try connectIfNeeded() { state.forgetDeliveries() }
                if state.inFlight, let outcome = writer.outcome(waitingUpTo: isGatheringFull(state) ? .milliseconds(100) : .zero) {
                    state.inFlight = false
                    try handle(outcome, &state)
                }
                if !state.inFlight { submitNext(&state) }
                if !stopping && !isGatheringFull(state) && !(isGatheringClosed(state) && !state.inFlight && state.failed == nil) {
                    try gather(&state)
                } else if !state.inFlight, state.failed != nil {
                    // Waiting out a retry with a full batch in hand: nothing to read or write.
                    sleep(min(max(state.retryAt - ContinuousClock.now, .milliseconds(1)), .milliseconds(100)))
                }
            } catch {
                // The broker failed (the writer's failures arrive as outcomes): reconnect and resume.
                metrics.recordRetry()
                log.warning("ingest broker connection failed; reconnecting", ["queue": queue, "error": String(describing: error)])
                closeBroker()
                state.forgetDeliveries()
                if stopping { break }
                sleep(state.backoff)
                state.backoff = min(state.backoff * 2, options.maximumBackoff)
            }
        }
        if state.inFlight { _ = writer.outcome(waitingUpTo: .seconds(30)) }  // its rows may commit; they come back as duplicates
        if let tag = consumerTag, let channel = consumeChannel, channel.isOpen {
            try? channel.cancel(consumerTag: tag)
        }
        closeBroker()
        writer.close(timeout: .seconds(5))
        log.info("ingest consumer stopped", ["queue": queue])
    }

    /// A batch is full at `maximumBatchRows` or `maximumBatchDeliveries`.
    private func isGatheringFull(_ state: LoopState) -> Bool {
        state.gatheringRows >= options.maximumBatchRows || state.gathering.count >= maximumDeliveries
    }

    /// A batch goes to the writer when full, when stopping, or once `linger` has passed. While the
    /// writer is busy the batch keeps growing, so batches are small when traffic is light (low
    /// latency) and large under load (fewer, cheaper statements).
    private func isGatheringClosed(_ state: LoopState) -> Bool {
        guard !state.gathering.isEmpty else { return false }
        if stopping || isGatheringFull(state) { return true }
        return state.gatheringDeadline.map { ContinuousClock.now >= $0 } ?? false
    }

    private var maximumDeliveries: Int { max(1, min(options.maximumBatchDeliveries, Int(options.prefetch))) }

    /// Gives the writer the failed batch once its backoff has passed, else a closed gathered batch.
    private func submitNext(_ state: inout LoopState) {
        if let failed = state.failed {
            guard ContinuousClock.now >= state.retryAt, !stopping else { return }
            writer.submit(failed)
            state.failed = nil
            state.inFlight = true
        } else if isGatheringClosed(state) {
            writer.submit(state.gathering)
            state.gathering = []
            state.gatheringRows = 0
            state.gatheringDeadline = nil
            state.inFlight = true
        }
    }

    /// Takes deliveries into the batch being gathered: waits briefly for the first one (so
    /// heartbeats and stop requests are served), then until the batch is full, `linger` passed
    /// (writer idle), or the busy writer has finished.
    private func gather(_ state: inout LoopState) throws {
        guard let channel = consumeChannel else { return }
        while true {
            let writerBusy = state.inFlight || state.failed != nil
            if writerBusy && writer.hasOutcome { return }
            let timeout: Duration
            if writerBusy {
                timeout = .milliseconds(5)
            } else if let deadline = state.gatheringDeadline {
                timeout = max(deadline - ContinuousClock.now, .zero)
            } else {
                timeout = .milliseconds(200)
            }
            guard let delivery = try channel.nextDelivery(timeout: timeout) else {
                if writerBusy && state.failed != nil { return }  // let the retry timer be checked
                if writerBusy { continue }
                return
            }
            let pending = Pending(delivery: delivery, decoded: pipeline.decode(delivery.body, now: .now, rules: options.validation),
                                  databaseRejection: nil, receivedAt: .now)
            if state.gathering.isEmpty { state.gatheringDeadline = pending.receivedAt.advanced(by: options.linger) }
            state.gatheringRows += pending.rowCount
            state.gathering.append(pending)
            if isGatheringFull(state) || stopping { return }
            if !writerBusy, isGatheringClosed(state) { return }
        }
    }

    /// After the writer answered: dead-letter and ack a stored batch, or schedule a retry.
    private func handle(_ outcome: IngestBatchWriter<Pipeline>.Outcome, _ state: inout LoopState) throws {
        switch outcome {
        case .stored(let batch, let inserted, let attempted, let committedAt):
            try finish(batch, inserted: inserted, attempted: attempted, committedAt: committedAt)
            state.backoff = options.initialBackoff
        case .failed(let batch, let error):
            metrics.recordRetry()
            log.warning("ingest batch not stored; retrying", [
                "queue": queue, "error": String(describing: error), "deliveries": String(batch.count),
            ])
            state.failed = batch
            state.retryAt = ContinuousClock.now.advanced(by: state.backoff)
            state.backoff = min(state.backoff * 2, options.maximumBackoff)
        }
    }

    private func finish(_ batch: [Pending], inserted: Int, attempted: Int, committedAt: ContinuousClock.Instant) throws {
        guard let consumeChannel, let publishChannel, let last = batch.last else { return }
        var published = 0
        for pending in batch {
            guard let letter = IngestDeadLetter.make(
                body: pending.delivery.body, properties: pending.delivery.properties, decoded: pending.decoded,
                wholeRejection: pending.databaseRejection, queue: queue)
            else { continue }
            try publishChannel.publish(exchange: "", routingKey: deadLetterQueue, body: letter.body,
                                       properties: letter.properties, mandatory: true)
            published += 1
            for kind in letter.kinds { metrics.recordDeadLettered(kind: pipeline.kind, reason: kind) }
        }
        if published > 0 {
            // Unroutable (no .dlq queue) or nacked: throw, so nothing is acked and nothing is lost.
            try publishChannel.waitForConfirms(timeout: .seconds(30))
            log.info("ingest dead-lettered deliveries", ["queue": queue, "count": String(published)])
        }
        // Refuses (.staleDelivery) a delivery of a channel since replaced: it was redelivered.
        try consumeChannel.ack(last.delivery, multiple: true)
        metrics.recordBatch(kind: pipeline.kind, stored: inserted, duplicates: attempted - inserted,
                            deliveries: batch.count, receivedAt: batch[0].receivedAt, committedAt: committedAt)
    }

    // MARK: Broker

    /// Opens the broker connection when it is closed. Returns true when it was (re)opened.
    private func connectIfNeeded() throws -> Bool {
        if connection?.isOpen == true, consumeChannel?.isOpen == true, publishChannel?.isOpen == true {
            return false
        }
        closeBroker()
        let connection = try AMQPConnection(
            url: amqpURL, options: .init(heartbeat: .seconds(30), connectionName: "tradingd ingest \(queue)"))
        self.connection = connection
        if options.declareQueues {
            let setup = try connection.openChannel()
            try IngestTopology.declare(kind: pipeline.kind, queue: queue, deadLetterQueue: deadLetterQueue,
                                       exchange: options.exchange, on: setup)
            setup.close()
        }
        let publish = try connection.openChannel()
        try publish.enableConfirms()
        publishChannel = publish
        let consume = try connection.openChannel()
        try consume.setPrefetch(options.prefetch)
        consumerTag = try consume.consume(queue: queue)
        consumeChannel = consume
        log.info("ingest consumer connected", ["queue": queue])
        return true
    }

    private func closeBroker() {
        connection?.close()
        connection = nil
        consumeChannel = nil
        publishChannel = nil
        consumerTag = nil
    }

    /// Waits out a backoff in slices, so that a stop request is seen promptly.
    private func sleep(_ duration: Duration) {
        let deadline = ContinuousClock.now.advanced(by: duration)
        while !stopping, ContinuousClock.now < deadline {
            Thread.sleep(forTimeInterval: min(deadline - ContinuousClock.now, .milliseconds(100)) / .seconds(1))
        }
    }
}

/// A running consumer as the service sees it.
protocol IngestWorker: Sendable {
    func start()
    func requestStop()
    func waitUntilFinished(timeout: Duration) -> Bool
}
