import Foundation
import Messaging
import Observability
import Postgres
import Synchronization
import Timekeeping

/// The periodic trading work of one replica, every `interval`:
///
/// 1. consumer reconciliation: `runtime.organizationEnabled` for every ENABLED organisation
///    (idempotent), `organizationDisabled` for those this replica ran that are no longer enabled —
///    so a replica that did not serve an enable/disable request follows within one interval;
/// 2. plant sync of every ENABLED organisation with ESM credentials, each claimed first by moving
///    its `last_sync_at` forward in one conditional UPDATE, so that of several replicas only one
///    syncs an organisation per interval (and a second sync would be harmless anyway).
public final class TradingScheduler: Service {
    public let name = "trading scheduler"
    private let pool: PostgresPool
    private let sync: PlantSyncService
    private let runtime: any TradingRuntime
    private let interval: Duration
    private let logger: Logger
    private let running = Mutex<[UUID: String]>([:])
    private let thread = WorkerThread(name: "tradingd.trading-scheduler")

    public init(pool: PostgresPool, sync: PlantSyncService, runtime: any TradingRuntime, interval: Duration, logger: Logger) {
        self.pool = pool
        self.sync = sync
        self.runtime = runtime
        self.interval = interval
        self.logger = logger
    }

    /// Runs `runOnce` now and then every interval on a thread of its own, until `stop`.
    public func start() {
        guard interval > .zero else { return }
        thread.start { [self] in
            repeat { runOnce() } while thread.sleep(interval)
        }
    }

    /// Stops the loop; a sync in progress finishes first. - Returns: true when it did by `deadline`.
    @discardableResult
    public func stop(by deadline: ContinuousClock.Instant) -> Bool {
        thread.stop(by: deadline)
    }

    /// One round; returns the organisations whose plants it synced. Failures are logged, never thrown.
    @discardableResult
    public func runOnce() -> [UUID] {
        let enabled: [TradingConfigRecord]
        do {
            enabled = try pool.withConnection { try TradingConfigStore.enabled(on: $0) }
        } catch {
            logger.error("trading scheduler cannot read configurations", ["error": String(describing: error)])
            return []
        }
        reconcile(enabled)
        var synced: [UUID] = []
        for config in enabled where config.isComplete {
            let organization = config.organizationID
            do {
                guard try claim(organization) else { continue }
                _ = try sync.sync(organizationID: organization)
                synced.append(organization)
            } catch {
                // sync has recorded lastSyncError and logged the ESM's failure.
                logger.warning("periodic plant sync failed", ["org.id": organization.uuidString.lowercased(),
                                                              "error": String(describing: error)])
            }
        }
        return synced
    }

    private func reconcile(_ enabled: [TradingConfigRecord]) {
        let wanted = Dictionary(enabled.map { ($0.organizationID, $0.queuePrefix) }, uniquingKeysWith: { first, _ in first })
        let previous = running.withLock { $0 }
        for (organization, prefix) in wanted {
            do {
                try runtime.organizationEnabled(organizationID: organization, queuePrefix: prefix)
            } catch {
                logger.error("cannot start an organisation's consumers", ["org.id": organization.uuidString.lowercased(),
                                                                         "error": String(describing: error)])
            }
        }
        for (organization, prefix) in previous where wanted[organization] != prefix {
            do {
                try runtime.organizationDisabled(organizationID: organization, queuePrefix: prefix)
            } catch {
                logger.error("cannot stop an organisation's consumers", ["org.id": organization.uuidString.lowercased(),
                                                                        "error": String(describing: error)])
            }
        }
        running.withLock { $0 = wanted }
    }

    /// Claims this interval's sync of the organisation; false when another replica (or a manual
    /// sync) did it recently.
    private func claim(_ organizationID: UUID) throws -> Bool {
        let seconds = interval.inSeconds * 0.9
        return try pool.withConnection { connection in
            try connection.execute("""
                UPDATE trading_configs SET last_sync_at = now()
                WHERE organization_id = $1 AND status = 'ENABLED'
                  AND (last_sync_at IS NULL OR last_sync_at <= now() - make_interval(secs => $2))
                """, [.uuid(organizationID), .double(seconds)]) == 1
        }
    }
}
