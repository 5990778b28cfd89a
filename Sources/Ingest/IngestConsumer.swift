import AMQP
import Foundation
import Messaging
import Observability
import Postgres
import Timekeeping
import TradingCore

/// One consumer of one queue (`P.telemetry` or `P.meters`) on a thread of its own, with its own
/// broker connection (`ReconnectingConsumer`: a librabbitmq connection is not thread-safe) and an
/// `IngestBatchWriter` thread with its own PostgreSQL connection.
///
/// `IngestCycle` decides; this type acts: it reads and decodes deliveries, hands batches to the
/// writer, and once a batch committed publishes its refused parts to the `.dlq` with confirms
/// (`DeadLetterPublisher`) and acks the batch with one `multiple` ack. Nothing is acked before its
/// rows committed, so a crash anywhere means redelivery, which the idempotent write absorbs.
final class IngestConsumer<Pipeline: IngestPipeline>: IngestWorker, @unchecked Sendable {
    // @unchecked Sendable: the consumer, the cycle and the batches are touched only by the
    // consumer's own thread (inside `run`); other threads use only `thread` (stop and wait).

    typealias Pending = IngestPendingDelivery<Pipeline.Item>

    let pipeline: Pipeline
    let queue: String
    let deadLetterQueue: String
    let thread: WorkerThread
    private let options: IngestOptions
    private let metrics: IngestMetrics
    private let log: Logger
    private let writer: IngestBatchWriter<Pipeline>
    private let consumer: ReconnectingConsumer
    private let backoff: Backoff
    /// Bumped (on the consumer's thread) whenever the connection was lost or closed: deliveries
    /// read before are void.
    private let connectionLosses: Counter
    /// When the first delivery of the batch at the writer arrived (nil: none there), and the
    /// oldest unacknowledged arrival last told to the metrics.
    private var writingSince: ContinuousClock.Instant?
    private var reportedOldest: ContinuousClock.Instant?

    /// A plain counter owned by the consumer's thread.
    private final class Counter: @unchecked Sendable {
        var value = 0
    }

    init(pipeline: Pipeline, organizationID: UUID, queuePrefix: String, amqpURL: AMQPURL, databaseURL: String,
         options: IngestOptions, plants: PlantDirectory, metrics: IngestMetrics, log: Logger) {
        self.pipeline = pipeline
        let queue = pipeline.kind.queueName(prefix: queuePrefix)
        let deadLetterQueue = pipeline.kind.deadLetterQueueName(prefix: queuePrefix)
        self.queue = queue
        self.deadLetterQueue = deadLetterQueue
        self.options = options
        self.metrics = metrics
        let log = log.with(["queue": queue])
        self.log = log
        backoff = Backoff(initial: options.initialBackoff, maximum: options.maximumBackoff)
        writer = IngestBatchWriter(pipeline: pipeline, organizationID: organizationID, databaseURL: databaseURL,
                                   options: options, plants: plants, metrics: metrics, log: log, queue: queue)
        let losses = Counter()
        connectionLosses = losses
        let kind = pipeline.kind, exchange = options.exchange, declare = options.declareQueues
        consumer = ReconnectingConsumer(
            url: amqpURL, queue: queue, prefetch: options.prefetch,
            options: .init(heartbeat: options.heartbeat, connectionName: "tradingd ingest \(queue)"),
            backoff: backoff,
            setup: { channel in
                if declare {
                    try IngestTopology.declare(kind: kind, queue: queue, deadLetterQueue: deadLetterQueue, exchange: exchange, on: channel)
                }
            },
            onEvent: { event in
                switch event {
                case .connected(let reconnects):
                    if reconnects > 0 { metrics.recordReconnect() }
                    log.info("ingest consumer connected")
                case .disconnected(let error):
                    losses.value += 1
                    metrics.recordRetry()
                    log.warning("ingest broker connection failed; reconnecting", ["error": String(describing: error)])
                case .retrying(let attempt, _, let error):
                    log.warning("ingest consumer reconnecting", ["attempt": String(attempt), "error": String(describing: error)])
                }
            })
        let consumer = consumer
        thread = WorkerThread(name: "ingest \(queue)", onStop: { consumer.stop() })
    }

    func start() {
        writer.start()
        thread.start { [self] in run() }
    }

    private var limits: IngestCycle<Pending>.Limits {
        .init(maximumDeliveries: max(1, min(options.maximumBatchDeliveries, Int(options.prefetch))),
              maximumRows: options.maximumBatchRows, linger: options.linger,
              brokerService: min(options.heartbeat / 4, .seconds(1)))
    }

    // Specialised for telemetry (the hot queue): generic code copied every delivery through value
    // witnesses and looked up generic metadata at run time (~15% of the consumer's CPU).
    @_specialize(where Pipeline == TelemetryPipeline)
    private func run() {
        var cycle = IngestCycle<Pending>(limits: limits)
        var seenLosses = connectionLosses.value
        log.info("ingest consumer started")
        loop: while true {
            reportOldestUnacknowledged(cycle)
            if thread.isStopping && !cycle.isStopping { cycle.requestStop() }
            switch cycle.next(now: .now, outcomeReady: writer.hasOutcome) {
            case .finish:
                break loop
            case .submit(let batch):
                writingSince = batch.first?.receivedAt
                writer.submit(batch)
            case .sleep(let duration):
                thread.sleep(duration)
            case .serviceBroker:
                consumer.serviceConnection()
            case .takeOutcome(let timeout):
                guard let outcome = writer.outcome(waitingUpTo: timeout) else { continue }
                settle(outcome, &cycle)
            case .gather(let timeout):
                let delivery: AMQPDelivery?
                do {
                    delivery = try consumer.nextDelivery(timeout: timeout)
                } catch {
                    // Stopped while the broker was away, or refused for good (credentials,
                    // permissions, a failing declaration): nothing more can be read.
                    if thread.isStopping { break loop }
                    log.error("ingest consumer cannot consume", ["error": String(describing: error)])
                    cycle.brokerFailed()
                    thread.sleep(backoff.delay(forAttempt: cycle.consecutiveFailures))
                    continue
                }
                if connectionLosses.value != seenLosses {
                    seenLosses = connectionLosses.value
                    writingSince = nil  // the broker redelivers what the old connection held
                    cycle.connectionReplaced()
                }
                guard let delivery else { continue }
                let now = ContinuousClock.now
                let pending = Pending(delivery: delivery, decoded: pipeline.decode(delivery.body, now: .now, rules: options.validation),
                                      databaseRejection: nil, receivedAt: now)
                cycle.received(pending, rows: pending.rowCount, now: now)
            }
        }
        if cycle.isWriting { _ = writer.outcome(waitingUpTo: .seconds(30)) }  // its rows may commit; they come back as duplicates
        consumer.close()
        writer.close(timeout: .seconds(5))
        metrics.noteUnacknowledged(consumer: ObjectIdentifier(self), oldest: nil)
        log.info("ingest consumer stopped")
    }

    /// Tells the metrics when the oldest delivery this consumer holds unacknowledged arrived:
    /// the batch at the writer, one waiting for its retry, or the one being gathered. Changes once
    /// per batch, so the hot path pays a comparison, not a lock.
    private func reportOldestUnacknowledged(_ cycle: IngestCycle<Pending>) {
        func earlier(_ a: ContinuousClock.Instant?, _ b: ContinuousClock.Instant?) -> ContinuousClock.Instant? {
            guard let a else { return b }
            guard let b else { return a }
            return min(a, b)
        }
        let oldest = earlier(earlier(writingSince, cycle.failed?.first?.receivedAt), cycle.gathering.first?.receivedAt)
        guard oldest != reportedOldest else { return }
        reportedOldest = oldest
        metrics.noteUnacknowledged(consumer: ObjectIdentifier(self), oldest: oldest)
    }

    /// The writer answered: dead-letter and ack a stored batch, or keep a failed one for its retry.
    private func settle(_ outcome: IngestBatchWriter<Pipeline>.Outcome, _ cycle: inout IngestCycle<Pending>) {
        switch outcome {
        case .stored(let batch, let inserted, let attempted, let committedAt):
            writingSince = nil
            guard cycle.stored() == .acknowledge else { return }
            do {
                try finish(batch, inserted: inserted, attempted: attempted, committedAt: committedAt)
            } catch {
                // Dead letters not confirmed, or the ack refused: close, so every unacked delivery
                // returns to the queue (a later `multiple` ack must never cover this batch).
                metrics.recordRetry()
                log.warning("ingest batch stored but not acknowledged; its deliveries come back",
                            ["error": String(describing: error), "deliveries": String(batch.count)])
                closeConnection(&cycle)
                thread.sleep(backoff.delay(forAttempt: cycle.consecutiveFailures))
            }
        case .failed(let batch, let error):
            writingSince = nil  // kept by the cycle for its retry (`cycle.failed`) until resubmitted
            let delay = backoff.delay(forAttempt: cycle.consecutiveFailures)
            guard case .retry = cycle.writeFailed(batch, now: .now, delay: delay) else { return }
            metrics.recordRetry()
            log.warning("ingest batch not stored; retrying", [
                "error": String(describing: error), "deliveries": String(batch.count),
                "retry_in_ms": String(delay.wholeMilliseconds),
            ])
        }
    }

    private func closeConnection(_ cycle: inout IngestCycle<Pending>) {
        consumer.close()
        connectionLosses.value += 1
        cycle.brokerFailed()
    }

    private func finish(_ batch: [Pending], inserted: Int, attempted: Int, committedAt: ContinuousClock.Instant) throws {
        guard let last = batch.last else { return }
        var letters: [DeadLetter] = []
        for pending in batch {
            guard let refused = IngestDeadLetter.make(
                body: pending.delivery.body, properties: pending.delivery.properties, decoded: pending.decoded,
                wholeRejection: pending.databaseRejection, queue: queue, deadLetterQueue: deadLetterQueue)
            else { continue }
            var letter = refused.letter
            letter.deliveryTag = pending.delivery.deliveryTag
            letters.append(letter)
            for kind in refused.kinds { metrics.recordDeadLettered(kind: pipeline.kind, reason: kind) }
        }
        if !letters.isEmpty {
            // A letter that fails is sent again (its .dlq declared again, or as a minimal letter),
            // else its original is rejected to the broker's dead-letter exchange: the queue never
            // stalls on it. A connection failure throws: nothing is acked, nothing is lost.
            let report = try DeadLetterPublisher.deadLetter(letters, from: batch.map(\.delivery), through: consumer, log: log)
            if report.fallbacks > 0 { metrics.recordDeadLetterFallbacks(report.fallbacks) }
            log.info("ingest dead-lettered deliveries", ["count": String(letters.count)])
        }
        try consumer.ack(last.delivery, multiple: true)
        metrics.recordBatch(kind: pipeline.kind, stored: inserted, duplicates: attempted - inserted,
                            deliveries: batch.count, receivedAt: batch[0].receivedAt, committedAt: committedAt)
    }
}

/// A running consumer as the service sees it.
protocol IngestWorker: Sendable {
    var thread: WorkerThread { get }
    func start()
}
