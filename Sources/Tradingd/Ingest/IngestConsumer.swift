import AMQP
import Foundation
import Postgres
import Synchronization
import TradingCore

/// One consumer of one queue (`P.telemetry` or `P.meters`) on a thread of its own, with its own
/// AMQP connection (a librabbitmq connection is not thread-safe) and its own PostgreSQL connection.
///
/// Cycle: gather deliveries until the batch is full or `linger` passes → decode each → check
/// plants → write every valid row in one statement (or one transaction) → publish rejected parts
/// to the `.dlq` with confirms → ack everything with one `multiple` ack. Nothing is acked before
/// its rows committed, so a crash anywhere means redelivery, which the idempotent write absorbs.
final class IngestConsumer<Pipeline: IngestPipeline>: IngestWorker, @unchecked Sendable {
    // @unchecked Sendable: the connections and the batch are touched only by the consumer's own
    // thread (inside `run`); other threads use only `stopRequested` and `finished`.

    struct Pending {
        let delivery: AMQPDelivery
        var decoded: TelemetryDelivery<Pipeline.Item>
        /// Set when PostgreSQL refused this delivery's rows permanently (found by bisection).
        var databaseRejection: TelemetryRejection?
        let receivedAt: ContinuousClock.Instant
        var rowCount: Int { decoded.elements.count }
    }

    let pipeline: Pipeline
    let organizationID: UUID
    let queue: String
    let deadLetterQueue: String
    private let amqpURL: AMQPURL
    private let databaseURL: String
    private let options: IngestOptions
    private let plants: PlantDirectory
    private let metrics: IngestMetrics
    private let log: IngestLog
    private let stopRequested = Atomic<Bool>(false)
    private let finished = DispatchSemaphore(value: 0)

    private var connection: AMQPConnection?
    private var consumeChannel: AMQPChannel?
    private var publishChannel: AMQPChannel?
    private var database: PostgresConnection?
    private var consumerTag: String?

    init(pipeline: Pipeline, organizationID: UUID, queuePrefix: String, amqpURL: AMQPURL, databaseURL: String,
         options: IngestOptions, plants: PlantDirectory, metrics: IngestMetrics, log: IngestLog) {
        self.pipeline = pipeline
        self.organizationID = organizationID
        self.queue = pipeline.kind.queueName(prefix: queuePrefix)
        self.deadLetterQueue = pipeline.kind.deadLetterQueueName(prefix: queuePrefix)
        self.amqpURL = amqpURL
        self.databaseURL = databaseURL
        self.options = options
        self.plants = plants
        self.metrics = metrics
        self.log = log
    }

    func start() {
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
        let (seconds, attoseconds) = timeout.components
        let nanoseconds = max(0, seconds) * 1_000_000_000 + attoseconds / 1_000_000_000
        return finished.wait(timeout: .now() + .nanoseconds(Int(clamping: nanoseconds))) == .success
    }

    private var stopping: Bool { stopRequested.load(ordering: .relaxed) }

    // MARK: Loop

    private func run() {
        var backoff = options.initialBackoff
        var batch: [Pending] = []
        log.info("ingest consumer started", ["queue": queue])
        while true {
            if stopping && batch.isEmpty { break }
            do {
                if try connectIfNeeded() { batch = [] }  // tags of an old channel are void: redelivered
                if batch.isEmpty {
                    batch = try gather()
                    if batch.isEmpty { continue }
                }
                try process(&batch)
                batch = []
                backoff = options.initialBackoff
            } catch {
                metrics.recordRetry()
                log.warning("ingest batch failed; retrying", [
                    "queue": queue, "error": String(describing: error), "deliveries": String(batch.count),
                ])
                if consumeChannel?.isOpen != true || publishChannel?.isOpen != true {
                    closeBroker()
                    batch = []
                }
                if database?.isHealthy != true { database = nil }
                if stopping { break }  // unacked deliveries go back to the queue when we close
                waitServicingBroker(backoff, batch: &batch)
                backoff = min(backoff * 2, options.maximumBackoff)
            }
        }
        if let tag = consumerTag, let channel = consumeChannel, channel.isOpen {
            try? channel.cancel(consumerTag: tag)
        }
        closeBroker()
        database = nil
        log.info("ingest consumer stopped", ["queue": queue])
    }

    /// Opens whatever is closed. Returns true when the broker connection was (re)opened.
    private func connectIfNeeded() throws -> Bool {
        if database == nil {
            database = try PostgresConnection(url: databaseURL)
        }
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

    /// Waits for the first delivery (briefly, so heartbeats and stop requests are served), then
    /// takes more until the batch is full or `linger` has passed.
    private func gather() throws -> [Pending] {
        guard let channel = consumeChannel else { return [] }
        guard let first = try channel.nextDelivery(timeout: .milliseconds(200)) else { return [] }
        var batch = [decode(first)]
        var rows = batch[0].rowCount
        let deadline = ContinuousClock.now.advanced(by: options.linger)
        while rows < options.maximumBatchRows, batch.count < Int(options.prefetch) {
            let remaining = deadline - ContinuousClock.now
            guard let next = try channel.nextDelivery(timeout: max(remaining, .zero)) else { break }
            let pending = decode(next)
            rows += pending.rowCount
            batch.append(pending)
        }
        return batch
    }

    private func decode(_ delivery: AMQPDelivery) -> Pending {
        Pending(delivery: delivery, decoded: pipeline.decode(delivery.body, now: .now, rules: options.validation),
                databaseRejection: nil, receivedAt: .now)
    }

    /// While backing off, keeps reading the broker (heartbeats; deliveries join the batch) so that
    /// a long database outage does not also cost the broker connection.
    private func waitServicingBroker(_ duration: Duration, batch: inout [Pending]) {
        let deadline = ContinuousClock.now.advanced(by: duration)
        while !stopping, ContinuousClock.now < deadline {
            let slice = min(deadline - ContinuousClock.now, .milliseconds(200))
            guard let channel = consumeChannel, channel.isOpen else {
                Thread.sleep(forTimeInterval: Double(slice.components.attoseconds) / 1e18 + Double(slice.components.seconds))
                continue
            }
            do {
                if let delivery = try channel.nextDelivery(timeout: slice) { batch.append(decode(delivery)) }
            } catch {
                closeBroker()
                batch = []
            }
        }
    }

    // MARK: Batch

    private func process(_ batch: inout [Pending]) throws {
        guard let database, let consumeChannel, let publishChannel, let last = batch.last else { return }
        try rejectUnknownPlants(&batch, database: database)
        let (inserted, attempted) = try store(&batch, indices: Array(batch.indices)[...], database: database)
        let committedAt = ContinuousClock.now

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
        }
        try consumeChannel.ack(last.delivery, multiple: true)
        metrics.recordBatch(kind: pipeline.kind, stored: inserted, duplicates: attempted - inserted,
                            deliveries: batch.count, receivedAt: batch[0].receivedAt, committedAt: committedAt)
        if published > 0 {
            log.info("ingest dead-lettered deliveries", ["queue": queue, "count": String(published)])
        }
    }

    /// Marks the elements whose plant is not in this organisation.
    private func rejectUnknownPlants(_ batch: inout [Pending], database: PostgresConnection) throws {
        var plantIDs = Set<UUID>()
        for pending in batch {
            for element in pending.decoded.elements {
                if case .success(let item) = element.outcome { plantIDs.insert(pipeline.plantID(of: item)) }
            }
        }
        guard !plantIDs.isEmpty else { return }
        let existing = try plants.existing(plantIDs, organizationID: organizationID, connection: database)
        guard existing.count < plantIDs.count else { return }
        for b in batch.indices {
            for e in batch[b].decoded.elements.indices {
                guard case .success(let item) = batch[b].decoded.elements[e].outcome else { continue }
                let plantID = pipeline.plantID(of: item)
                if !existing.contains(plantID) {
                    batch[b].decoded.elements[e].outcome = .failure(TelemetryRejection(
                        .unknownPlant, "plant \(plantID.uuidString.lowercased()) does not exist in this organisation"))
                }
            }
        }
    }

    /// Writes the valid rows of `indices`; when PostgreSQL refuses them permanently, splits the
    /// deliveries in halves until the refused delivery is alone, and marks it for the `.dlq`.
    /// Retriable failures propagate (the caller backs off and retries the whole batch).
    private func store(_ batch: inout [Pending], indices: ArraySlice<Int>, database: PostgresConnection) throws
        -> (inserted: Int, attempted: Int)
    {
        var items: [Pipeline.Item] = []
        for index in indices where batch[index].databaseRejection == nil {
            for element in batch[index].decoded.elements {
                if case .success(let item) = element.outcome { items.append(item) }
            }
        }
        guard !items.isEmpty else { return (0, 0) }
        do {
            return (try write(items, database: database), items.count)
        } catch let error as PostgresError where !error.isRetriable && database.isHealthy {
            if indices.count == 1, let index = indices.first {
                let state = error.sqlState.map { " (SQLSTATE \($0))" } ?? ""
                batch[index].databaseRejection = TelemetryRejection(.database, "PostgreSQL refused the rows\(state): \(error.message)")
                log.warning("ingest delivery refused by the database", ["queue": queue, "error": String(describing: error)])
                return (0, 0)
            }
            metrics.recordBisection()
            let middle = indices.startIndex + indices.count / 2
            let left = try store(&batch, indices: indices[..<middle], database: database)
            let right = try store(&batch, indices: indices[middle...], database: database)
            return (left.inserted + right.inserted, left.attempted + right.attempted)
        }
    }

    private func write(_ items: [Pipeline.Item], database: PostgresConnection) throws -> Int {
        let chunk = max(options.maximumRowsPerStatement, 1)
        if items.count <= chunk { return try pipeline.store(items, on: database) }
        return try database.transaction { connection in
            var inserted = 0
            for start in stride(from: 0, to: items.count, by: chunk) {
                inserted += try pipeline.store(Array(items[start..<min(start + chunk, items.count)]), on: connection)
            }
            return inserted
        }
    }
}

/// A running consumer as the service sees it.
protocol IngestWorker: Sendable {
    func start()
    func requestStop()
    func waitUntilFinished(timeout: Duration) -> Bool
}
