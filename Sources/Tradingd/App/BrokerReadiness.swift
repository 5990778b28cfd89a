import AMQP
import Synchronization

/// Whether RabbitMQ accepts a connection, for `/readyz`. Opening a connection costs, so an
/// answer is reused for a moment.
final class BrokerReadiness: Sendable {
    private let url: AMQPURL
    private let last = Mutex<(at: ContinuousClock.Instant, ok: Bool)?>(nil)

    init(url: AMQPURL) {
        self.url = url
    }

    func isReachable() -> Bool {
        let now = ContinuousClock.now
        if let last = last.withLock({ $0 }), now - last.at < .seconds(2) { return last.ok }
        var options = AMQPConnection.Options()
        options.connectTimeout = .seconds(2)
        options.connectionName = "tradingd readiness"
        let ok: Bool
        if let connection = try? AMQPConnection(url: url, options: options) {
            connection.close()
            ok = true
        } else {
            ok = false
        }
        last.withLock { $0 = (now, ok) }
        return ok
    }
}
