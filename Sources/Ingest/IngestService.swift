import AMQP
import Foundation
import Messaging
import Observability
import Postgres
import Synchronization
import Timekeeping
import TradingCore

/// The telemetry and meter ingestion of every enabled organisation: for each, consumers of
/// `P.telemetry` and `P.meters` (see `IngestConsumer`), plus the partition maintainer.
///
/// `serve` runs it as a `Service` (`start()`, then `stop(by:)` on shutdown); enabling or disabling
/// an organisation at run time calls `addOrganization` / `removeOrganization`.
public final class IngestService: Service {
    public let name = "ingest"
    public struct Organization: Hashable, Sendable {
        public let id: UUID
        public let queuePrefix: String

        public init(id: UUID, queuePrefix: String) {
            self.id = id
            self.queuePrefix = queuePrefix
        }
    }

    public let metrics: IngestMetrics
    private let amqpURL: AMQPURL
    private let databaseURL: String
    private let options: IngestOptions
    private let retention: TelemetryRetention?
    private let log: Logger
    private let plants: PlantDirectory
    private let state = Mutex(State())
    private let maintainer = WorkerThread(name: "telemetry partitions")

    private struct State {
        var started = false
        var stopped = false
        var organizations: [Organization] = []
        var workers: [UUID: [any IngestWorker]] = [:]
    }

    /// - Parameters:
    ///   - retention: partition upkeep and retention; nil leaves partitions alone (tests).
    public init(amqpURL: AMQPURL, databaseURL: String, organizations: [Organization], options: IngestOptions = IngestOptions(),
                retention: TelemetryRetention? = TelemetryRetention(), metrics: IngestMetrics = IngestMetrics(),
                log: Logger = .silent) {
        self.amqpURL = amqpURL
        self.databaseURL = databaseURL
        var options = options
        // Samples older than the raw retention are refused: their raw row, the only duplicate
        // check, may be gone, and the aggregates (kept longer) would count them again.
        if let retention { options.validation.rawRetentionDays = retention.rawDays }
        self.options = options
        self.retention = retention
        self.metrics = metrics
        self.log = log
        self.plants = PlantDirectory(ttl: options.plantCacheTTL)
        state.withLock { $0.organizations = organizations }
    }

    public var organizations: [Organization] { state.withLock { $0.organizations } }

    /// Runs partition upkeep once (so today's partitions exist), then starts every consumer and
    /// the periodic upkeep. Consumers connect on their own threads and retry until the servers
    /// answer; `start` itself does not wait for them.
    public func start() {
        let organizations: [Organization] = state.withLock { state in
            guard !state.started else { return [] }
            state.started = true
            return state.organizations
        }
        if let retention {
            startMaintainer(retention, succeeded: maintain(retention))
        }
        for organization in organizations { launch(organization) }
    }

    /// Stops consuming; each consumer finishes (commits and acks) the batch in flight, then closes.
    /// - Returns: true when every consumer finished by `deadline`.
    @discardableResult
    public func stop(by deadline: ContinuousClock.Instant) -> Bool {
        let workers: [any IngestWorker] = state.withLock { state in
            state.stopped = true
            defer { state.workers = [:] }
            return state.workers.values.flatMap { $0 }
        }
        maintainer.requestStop()  // a pass under way finishes on its own
        let finished = workers.map(\.thread).stop(by: deadline)
        return maintainer.waitUntilFinished(timeout: min(deadline - .now, .seconds(2))) && finished
    }

    /// `stop(by:)` within `grace` from now.
    @discardableResult
    public func stop(grace: Duration) -> Bool { stop(by: .now + grace) }

    /// Starts consumers for an organisation (no-op when it is already consumed).
    public func addOrganization(_ organization: Organization) {
        let shouldLaunch: Bool = state.withLock { state in
            guard !state.organizations.contains(where: { $0.id == organization.id }) else { return false }
            state.organizations.append(organization)
            return state.started && !state.stopped
        }
        if shouldLaunch { launch(organization) }
    }

    /// Stops an organisation's consumers (finishing their batches in flight).
    /// - Returns: true when they finished within `grace`.
    @discardableResult
    public func removeOrganization(id: UUID, grace: Duration) -> Bool {
        let workers: [any IngestWorker] = state.withLock { state in
            state.organizations.removeAll { $0.id == id }
            return state.workers.removeValue(forKey: id) ?? []
        }
        plants.forget(organizationID: id)
        return workers.map(\.thread).stop(by: .now + grace)
    }

    private func launch(_ organization: Organization) {
        var workers: [any IngestWorker] = []
        for _ in 0..<max(options.consumersPerQueue, 1) {
            workers.append(IngestConsumer(
                pipeline: TelemetryPipeline(), organizationID: organization.id, queuePrefix: organization.queuePrefix,
                amqpURL: amqpURL, databaseURL: databaseURL, options: options, plants: plants, metrics: metrics, log: log))
            workers.append(IngestConsumer(
                pipeline: MeterPipeline(), organizationID: organization.id, queuePrefix: organization.queuePrefix,
                amqpURL: amqpURL, databaseURL: databaseURL, options: options, plants: plants, metrics: metrics, log: log))
        }
        let launched: Bool = state.withLock { state in
            guard !state.stopped, state.organizations.contains(where: { $0.id == organization.id }) else { return false }
            state.workers[organization.id, default: []].append(contentsOf: workers)
            return true
        }
        guard launched else { return }
        for worker in workers { worker.start() }
    }

    // MARK: Partition upkeep

    /// One upkeep pass; false when it failed (the database is unreachable, say).
    @discardableResult
    private func maintain(_ retention: TelemetryRetention) -> Bool {
        do {
            let connection = try PostgresConnection(url: databaseURL)
            let outcome = try TelemetryPartitionMaintainer.run(retention: retention, on: connection)
            if outcome.partitionsCreated > 0 || !outcome.partitionsDropped.isEmpty || outcome.aggregateRowsDeleted > 0 {
                log.info("telemetry partitions maintained", [
                    "created": String(outcome.partitionsCreated), "dropped": outcome.partitionsDropped.joined(separator: ","),
                    "aggregates_deleted": String(outcome.aggregateRowsDeleted),
                ])
            }
            return true
        } catch {
            log.error("telemetry partition upkeep failed", ["error": String(describing: error)])
            return false
        }
    }

    /// Runs upkeep every `retention.interval`, or after a minute when the last pass failed (until
    /// it succeeds, new days' rows land in the DEFAULT partition).
    private func startMaintainer(_ retention: TelemetryRetention, succeeded: Bool) {
        maintainer.start { [self] in
            var lastSucceeded = succeeded
            while maintainer.sleep(lastSucceeded ? retention.interval : min(retention.interval, .seconds(60))) {
                lastSucceeded = maintain(retention)
            }
        }
    }
}
