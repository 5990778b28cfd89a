import HTTPServer
import Observability

/// `/healthz` (the process answers), `/readyz` (PostgreSQL and RabbitMQ reachable, else 503) and
/// `/metrics` (Prometheus text). Unauthenticated, like every probe endpoint. The wiring supplies
/// the reachability checks, so this layer needs neither a database pool nor a broker.
public struct OperationalRoutes: APIRoutes {
    let databaseReachable: @Sendable () -> Bool
    let brokerReachable: @Sendable () -> Bool
    let metrics: MetricsRegistry

    public init(databaseReachable: @escaping @Sendable () -> Bool, brokerReachable: @escaping @Sendable () -> Bool,
                metrics: MetricsRegistry) {
        self.databaseReachable = databaseReachable
        self.brokerReachable = brokerReachable
        self.metrics = metrics
    }

    public func register(on router: inout Router) {
        // What /readyz answers, for alerting: `tradingd_ready` and `tradingd_dependency_up{dependency}`.
        metrics.register("tradingd_ready", kind: .gauge, help: "Whether the daemon is ready (1): PostgreSQL and RabbitMQ answer.")
        metrics.register("tradingd_dependency_up", kind: .gauge, help: "Whether a dependency answers (1) or not (0).")
        metrics.addCollector { [self] metrics in
            let database = databaseReachable(), broker = brokerReachable()
            metrics.set("tradingd_dependency_up", to: database ? 1 : 0, labels: ["dependency": "postgres"])
            metrics.set("tradingd_dependency_up", to: broker ? 1 : 0, labels: ["dependency": "rabbitmq"])
            metrics.set("tradingd_ready", to: database && broker ? 1 : 0)
        }
        // Answered on the event loop: a liveness probe must not queue behind busy handlers.
        router.get("/healthz", execution: .eventLoop) { _ in
            Response(status: 200, headers: ["Content-Type": "application/json"], body: Array("{\"status\":\"ok\"}".utf8))
        }
        router.get("/readyz") { [self] _ in
            let database = databaseReachable()
            let broker = brokerReachable()
            let ready = database && broker
            return try Response.json(
                ["status": ready ? "ready" : "unavailable",
                 "postgres": database ? "ok" : "unreachable",
                 "rabbitmq": broker ? "ok" : "unreachable"],
                status: ready ? 200 : 503)
        }
        router.get("/metrics") { [self] _ in
            Response(status: 200, headers: ["Content-Type": "text/plain; version=0.0.4"],
                     body: Array(metrics.render().utf8))
        }
    }
}
