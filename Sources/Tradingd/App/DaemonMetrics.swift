import Observability
import Postgres

/// The daemon's own figures on `/metrics`, beside those each component registers: the process
/// (`process_*`), `tradingd_build_info{version,commit}`, and the handlers' database pool (the
/// pool lives in `Postgres`, which sits beside `Observability` and cannot register itself).
enum DaemonMetrics {
    static func install(on registry: MetricsRegistry, pool: PostgresPool) {
        ProcessMetrics.install(on: registry)
        registry.register("tradingd_build_info", kind: .gauge, help: "Always 1; the labels say which build runs.")
        registry.set("tradingd_build_info", to: 1, labels: ["version": BuildInfo.version, "commit": BuildInfo.commit])
        registry.register("tradingd_db_pool_connections", kind: .gauge, help: "Connections of the handlers' PostgreSQL pool, by state.")
        registry.register("tradingd_db_pool_max_connections", kind: .gauge, help: "Size of the handlers' PostgreSQL pool.")
        registry.register("tradingd_db_pool_waiting", kind: .gauge, help: "Callers waiting for a pool connection.")
        registry.set("tradingd_db_pool_max_connections", to: Double(pool.size))
        registry.addCollector { registry in
            registry.set("tradingd_db_pool_connections", to: Double(pool.inUseCount), labels: ["state": "in_use"])
            registry.set("tradingd_db_pool_connections", to: Double(pool.idleCount), labels: ["state": "idle"])
            registry.set("tradingd_db_pool_waiting", to: Double(pool.waitingCount))
        }
    }
}
