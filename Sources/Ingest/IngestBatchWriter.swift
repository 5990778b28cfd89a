import AMQP
import Foundation
import Messaging
import Observability
import Postgres
import Synchronization
import Timekeeping
import TradingCore

/// A batch of decoded deliveries on its way through the pipeline.
struct IngestPendingDelivery<Item: Sendable>: Sendable {
    let delivery: AMQPDelivery
    var decoded: TelemetryDelivery<Item>
    /// Set when PostgreSQL refused this delivery's rows permanently (found by bisection).
    var databaseRejection: TelemetryRejection?
    let receivedAt: ContinuousClock.Instant
    var rowCount: Int { decoded.elements.count }
}

/// The database half of a consumer, on a thread of its own with its own PostgreSQL connection, so
/// that the consumer decodes the next batch while this one is being written: with one thread the
/// database and the decoding took turns, and each waited for the other.
///
/// One batch at a time: `submit`, then `outcome(waitingUpTo:)` until it answers. For a batch it
/// checks the plants (unknown ones become rejections) and writes every valid row; a failure is
/// classified here and `IngestCycle.decision(for:)` says whether to bisect (PostgreSQL refused
/// rows for good: `Messaging.Bisection` isolates the refused delivery) or to hand the whole batch
/// back for a retry. It never touches the broker: the consumer dead-letters and acks once the
/// outcome says the rows committed.
final class IngestBatchWriter<Pipeline: IngestPipeline>: @unchecked Sendable {
    // @unchecked Sendable: `database` is used only on the writer's thread; the hand-off slots are
    // behind a Mutex and the semaphores are thread-safe.

    typealias Pending = IngestPendingDelivery<Pipeline.Item>
    typealias Batch = [Pending]

    enum Outcome: Sendable {
        case stored(Batch, inserted: Int, attempted: Int, committedAt: ContinuousClock.Instant)
        /// Nothing was committed for certain; the batch can be submitted again.
        case failed(Batch, any Error)
    }

    private let pipeline: Pipeline
    private let organizationID: UUID
    private let databaseURL: String
    private let options: IngestOptions
    private let plants: PlantDirectory
    private let metrics: IngestMetrics
    private let log: Logger
    private let queue: String

    private struct Slots {
        var job: Batch?
        var outcome: Outcome?
        var closing = false
    }

    private let slots = Mutex(Slots())
    /// Mirrors `slots.outcome != nil` for `hasOutcome`, which the consumer asks after every delivery.
    private let outcomePosted = Atomic<Bool>(false)
    private let jobReady = DispatchSemaphore(value: 0)
    private let outcomeReady = DispatchSemaphore(value: 0)
    private let thread: WorkerThread
    private var database: PostgresConnection?
    /// Consecutive attempts whose halves were refused alike (`Bisection.CommonRefusal`).
    private var commonRefusals = 0

    init(pipeline: Pipeline, organizationID: UUID, databaseURL: String, options: IngestOptions, plants: PlantDirectory,
         metrics: IngestMetrics, log: Logger, queue: String) {
        self.pipeline = pipeline
        self.organizationID = organizationID
        self.databaseURL = databaseURL
        self.options = options
        self.plants = plants
        self.metrics = metrics
        self.log = log
        self.queue = queue
        thread = WorkerThread(name: "ingest writer \(queue)")
    }

    func start() {
        thread.start { [self] in work() }
    }

    /// Lets the thread end once the batch it holds (if any) is done; waits for it up to `timeout`.
    func close(timeout: Duration) {
        slots.withLock { $0.closing = true }
        jobReady.signal()
        _ = thread.waitUntilFinished(timeout: timeout)
    }

    func submit(_ batch: Batch) {
        slots.withLock { $0.job = batch }
        jobReady.signal()
    }

    /// True when an outcome waits to be taken.
    var hasOutcome: Bool { outcomePosted.load(ordering: .acquiring) }

    /// The outcome of the submitted batch, if it is ready within `timeout`.
    func outcome(waitingUpTo timeout: Duration) -> Outcome? {
        guard outcomeReady.wait(timeout: .after(timeout)) == .success else { return nil }
        return slots.withLock { slots in
            defer {
                slots.outcome = nil
                outcomePosted.store(false, ordering: .releasing)
            }
            return slots.outcome
        }
    }

    // MARK: Writer thread

    @_specialize(where Pipeline == TelemetryPipeline)  // as IngestConsumer.run
    private func work() {
        while true {
            jobReady.wait()
            let (job, closing) = slots.withLock { slots -> (Batch?, Bool) in
                defer { slots.job = nil }
                return (slots.job, slots.closing)
            }
            guard var batch = job else {
                if closing { break } else { continue }
            }
            let outcome: Outcome
            do {
                let database = try connection()
                try rejectUnknownPlants(&batch, database: database)
                let (inserted, attempted) = try store(&batch, database: database,
                                                      stopOnCommonRefusal: commonRefusals < options.commonRefusalRetries)
                commonRefusals = 0
                outcome = .stored(batch, inserted: inserted, attempted: attempted, committedAt: .now)
            } catch {
                if error is Bisection.CommonRefusal { commonRefusals += 1 }
                // A fresh session next time: a read-only database that became writable again, or
                // a new primary after a failover, is seen only by a new connection.
                database = nil
                outcome = .failed(batch, error)
            }
            slots.withLock { $0.outcome = outcome }
            outcomePosted.store(true, ordering: .releasing)
            outcomeReady.signal()
            if closing { break }
        }
        database = nil
    }

    private func connection() throws -> PostgresConnection {
        if let database { return database }
        let opened = try PostgresConnection(url: databaseURL)
        database = opened
        return opened
    }

    /// Marks the elements whose plant is not in this organisation.
    private func rejectUnknownPlants(_ batch: inout Batch, database: PostgresConnection) throws {
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

    /// Writes the batch's valid rows; when PostgreSQL refuses their data (`isDataError`), bisects
    /// the deliveries until the refused one is alone, and marks it for the `.dlq`. Every other
    /// failure propagates (the batch is retried whole; what committed is then a no-op), and so
    /// does `Bisection.CommonRefusal` when both halves are refused with the same SQLSTATE and
    /// `stopOnCommonRefusal` (docs/RELIABILITY.md, item 1).
    private func store(_ batch: inout Batch, database: PostgresConnection,
                       stopOnCommonRefusal: Bool) throws -> (inserted: Int, attempted: Int) {
        var refused: [(index: Int, error: PostgresError)] = []
        let stored = try Bisection.store(
            batch.indices,
            attempt: { range -> (inserted: Int, attempted: Int) in
                var items: [Pipeline.Item] = []
                for index in range where batch[index].databaseRejection == nil {
                    for element in batch[index].decoded.elements {
                        if case .success(let item) = element.outcome { items.append(item) }
                    }
                }
                guard !items.isEmpty else { return (0, 0) }
                return (try write(items, database: database), items.count)
            },
            splits: { error in IngestCycle<Pending>.decision(for: Self.classify(error, database: database)) == .bisect },
            refuse: { index, error in
                if let error = error as? PostgresError { refused.append((index, error)) }
                return (0, 0)
            },
            combine: { ($0.inserted + $1.inserted, $0.attempted + $1.attempted) },
            onSplit: { metrics.recordBisection() },
            sameRefusal: stopOnCommonRefusal ? { ($0 as? PostgresError)?.sqlState == ($1 as? PostgresError)?.sqlState } : nil)
        for (index, error) in refused {
            let state = error.sqlState.map { " (SQLSTATE \($0))" } ?? ""
            batch[index].databaseRejection = TelemetryRejection(.database, "PostgreSQL refused the rows\(state): \(error.message)")
            log.warning("ingest delivery refused by the database", ["error": String(describing: error)])
        }
        return stored
    }

    /// What kind of failure a write error is, for `IngestCycle.decision(for:)`.
    static func classify(_ error: any Error, database: PostgresConnection) -> IngestCycle<Pending>.WriteFailure {
        if let error = error as? PostgresError, error.isDataError, database.isHealthy { return .refused }
        return .transient
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
