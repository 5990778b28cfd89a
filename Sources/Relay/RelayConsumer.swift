import AMQP
import Foundation
import Messaging
import Observability
import Postgres
import Synchronization
import Timekeeping

/// What a `RelayConsumer` does with each batch of deliveries.
protocol RelayBatchHandler: Sendable {
    var queue: String { get }
    var deadLetterQueue: String { get }
    /// How long a batch waits after its first delivery for more (zero: only what is buffered).
    var batchWindow: Duration { get }
    /// Stores what can be stored and commits; returns the deliveries to dead-letter. Throws on
    /// database failures (the batch is then retried; nothing was acked).
    func handle(_ deliveries: [AMQPDelivery], on connection: PostgresConnection) throws -> [DeadLetter]
}

/// One consumer of one relay queue (`P.commands` or `P.command-acks`) on a thread of its own,
/// with its own broker connection (`ReconnectingConsumer`) and PostgreSQL connection.
///
/// Cycle: wait for a delivery, take whatever else is already buffered or arrives within the
/// handler's `batchWindow` (up to the batch size),
/// let the handler store it (one statement or transaction), publish the dead letters with
/// confirms, then ack the batch with one `multiple` ack. Nothing is acked before it is stored,
/// and stores are idempotent, so any failure means redelivery and no harm. A batch whose data
/// the database refuses (SQLSTATE classes 22 and 23) is split until the refused delivery is
/// found, which is dead-lettered; any other failure is retried with backoff, nothing acked.
final class RelayConsumer: @unchecked Sendable {
    // @unchecked Sendable: `consumer` and `database` are touched only by the consumer's thread;
    // other threads use only `thread` (whose stop request also stops `consumer`'s reconnecting).
    private let handler: any RelayBatchHandler
    private let consumer: ReconnectingConsumer
    private let databaseURL: String
    private let options: RelayOptions
    private let metrics: RelayMetrics
    private let log: Logger
    let thread: WorkerThread
    private var database: PostgresConnection?

    init(handler: any RelayBatchHandler, amqpURL: AMQPURL, databaseURL: String, options: RelayOptions,
         metrics: RelayMetrics, log: Logger, setup: @escaping (AMQPChannel) throws -> Void) {
        self.handler = handler
        self.databaseURL = databaseURL
        self.options = options
        self.metrics = metrics
        let log = log.with(["queue": handler.queue])
        self.log = log
        let queue = handler.queue
        consumer = ReconnectingConsumer(
            url: amqpURL, queue: handler.queue, prefetch: options.prefetch,
            options: .init(heartbeat: .seconds(30), connectionName: "tradingd relay \(handler.queue)"),
            backoff: Backoff(initial: options.failureBackoffInitial, maximum: options.failureBackoffMaximum),
            setup: setup,
            onEvent: { event in
                switch event {
                case .connected(let reconnects):
                    if reconnects > 0 { metrics.update { $0.amqpReconnects += 1 } }
                    log.info("relay consumer connected", ["reconnects": String(reconnects)])
                case .disconnected(let error): log.warning("relay consumer disconnected", ["error": String(describing: error), "queue": queue])
                case .retrying(let attempt, _, let error):
                    log.warning("relay consumer reconnecting", ["attempt": String(attempt), "error": String(describing: error)])
                }
            })
        let consumer = consumer
        thread = WorkerThread(name: "relay \(handler.queue)", onStop: { consumer.stop() })
    }

    func start() {
        thread.start { [self] in run() }
    }

    private var stopping: Bool { thread.isStopping }

    private func run() {
        var backoff = options.failureBackoffInitial
        while !stopping {
            do {
                guard let first = try consumer.nextDelivery(timeout: .milliseconds(200)) else { continue }
                var batch = [first]
                let windowEnd = ContinuousClock.now + handler.batchWindow
                while batch.count < options.maximumBatch,
                      let next = try consumer.nextDelivery(timeout: max(windowEnd - ContinuousClock.now, .zero)) {
                    batch.append(next)
                }
                guard let letters = storeRetrying(batch) else { break }
                if !letters.isEmpty {
                    let report = try DeadLetterPublisher.deadLetter(letters, from: batch, through: consumer, log: log)
                    if report.fallbacks > 0 { metrics.update { $0.deadLetterFallbacks += report.fallbacks } }
                }
                try consumer.ack(batch[batch.count - 1], multiple: true)
                backoff = options.failureBackoffInitial
            } catch let error as AMQPError where error.code == .staleDelivery {
                continue  // the connection was replaced mid-batch: those deliveries come back
            } catch {
                if stopping { break }
                // Close, so every unacked delivery returns to the queue (a later `multiple` ack
                // must never cover a batch whose dead letters were not confirmed).
                consumer.close()
                metrics.update { $0.recordFailure(error) }
                log.warning("relay consumer failed; retrying", ["error": String(describing: error)])
                thread.sleep(backoff)
                backoff = min(backoff * 2, options.failureBackoffMaximum)
            }
        }
        consumer.close()
        database = nil
        log.info("relay consumer stopped")
    }

    /// Stores the batch, retrying every failure that is not the data's fault with backoff (the
    /// batch stays unacked meanwhile); nil when asked to stop first (the batch is redelivered).
    private func storeRetrying(_ batch: [AMQPDelivery]) -> [DeadLetter]? {
        var backoff = options.failureBackoffInitial
        var commonRefusals = 0
        while !stopping {
            do {
                return try store(batch, stopOnCommonRefusal: commonRefusals < options.commonRefusalRetries)
            } catch {
                if error is Bisection.CommonRefusal { commonRefusals += 1 }
                database = nil
                metrics.update { $0.recordFailure(error) }
                log.warning("relay batch not stored; retrying", ["error": String(describing: error), "deliveries": String(batch.count)])
                waitServicingBroker(backoff)
                backoff = min(backoff * 2, options.failureBackoffMaximum)
            }
        }
        return nil
    }

    /// Waits `duration` while still serving the broker connection every half second: librabbitmq
    /// sends and checks heartbeats only inside its calls, so a database outage longer than two
    /// heartbeats would otherwise drop the connection and bring the whole prefetch window back.
    private func waitServicingBroker(_ duration: Duration) {
        let deadline = ContinuousClock.now + duration
        while !stopping, ContinuousClock.now < deadline {
            consumer.serviceConnection()
            thread.sleep(min(deadline - .now, .milliseconds(500)))
        }
    }

    /// One attempt; a refusal of the data (`PostgresError.isDataError`) is bisected
    /// (`Messaging.Bisection`) down to the delivery causing it, which is dead-lettered. With
    /// `stopOnCommonRefusal`, a batch whose halves are refused with the same SQLSTATE throws
    /// `Bisection.CommonRefusal` instead, and is retried.
    private func store(_ batch: [AMQPDelivery], stopOnCommonRefusal: Bool) throws -> [DeadLetter] {
        let connection: PostgresConnection
        if let database {
            connection = database
        } else {
            connection = try PostgresConnection(url: databaseURL)
            try RelayWorker.preferIndexScans(connection)
            database = connection
        }
        return try Bisection.store(
            batch.indices,
            attempt: { range in try handler.handle(Array(batch[range]), on: connection) },
            splits: { error in
                guard let error = error as? PostgresError else { return false }
                return error.isDataError && connection.isHealthy && !connection.isInTransaction
            },
            refuse: { index, error in
                let refusal = error as? PostgresError
                let state = refusal?.sqlState.map { " (SQLSTATE \($0))" } ?? ""
                return [DeadLetter(batch[index], reason: "the database refused the message\(state): \(refusal?.message ?? "\(error)")",
                                   kind: "database", queue: handler.queue, deadLetterQueue: handler.deadLetterQueue)]
            },
            combine: +,
            sameRefusal: stopOnCommonRefusal ? { ($0 as? PostgresError)?.sqlState == ($1 as? PostgresError)?.sqlState } : nil)
    }
}
