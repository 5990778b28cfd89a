import AMQP
import Foundation
import HTTPServer
import Observability
import Postgres
import Synchronization

/// `/healthz` (the process answers), `/readyz` (PostgreSQL and RabbitMQ reachable, else 503) and
/// `/metrics` (Prometheus text). Unauthenticated, like every probe endpoint.
final class OperationalAPI: Sendable {
    let pool: PostgresPool
    let amqpURL: AMQPURL
    let metrics: MetricsRegistry
    /// The broker check opens a connection, so its answer is reused for a moment.
    private let brokerCheck = Mutex<(at: ContinuousClock.Instant, ok: Bool)?>(nil)

    init(pool: PostgresPool, amqpURL: AMQPURL, metrics: MetricsRegistry) {
        self.pool = pool
        self.amqpURL = amqpURL
        self.metrics = metrics
    }

    func register(on router: inout Router) {
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

    private func databaseReachable() -> Bool {
        (try? pool.withConnection { try $0.query("SELECT 1") }) != nil
    }

    private func brokerReachable() -> Bool {
        let now = ContinuousClock.now
        if let last = brokerCheck.withLock({ $0 }), now - last.at < .seconds(2) { return last.ok }
        var options = AMQPConnection.Options()
        options.connectTimeout = .seconds(2)
        options.connectionName = "tradingd readiness"
        let ok: Bool
        if let connection = try? AMQPConnection(url: amqpURL, options: options) {
            connection.close()
            ok = true
        } else {
            ok = false
        }
        brokerCheck.withLock { $0 = (now, ok) }
        return ok
    }
}
