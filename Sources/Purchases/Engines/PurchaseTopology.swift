import AMQP

/// The queues of the AMQP workflow engine, on the daemon's topic exchange: `purchases.submitted`
/// (tradingd publishes one message per purchase; the site's workflow system consumes it) and
/// `purchases.status` (the workflow system reports progress; tradingd consumes it), with
/// `purchases.status.dlq` for status messages that can never apply. Queue names double as
/// routing keys (prefixed when several deployments share a broker).
public struct PurchaseTopology: Sendable, Equatable {
    public let exchange: String
    public let submittedQueue: String
    public let statusQueue: String

    /// - Parameter prefix: `""` for the names above, `"site1."` for `site1.purchases.submitted`...
    public init(exchange: String, prefix: String = "") {
        self.exchange = exchange
        submittedQueue = prefix + "purchases.submitted"
        statusQueue = prefix + "purchases.status"
    }

    public var statusDeadLetterQueue: String { statusQueue + ".dlq" }

    /// Declares the exchange and the three quorum queues with their bindings; idempotent.
    public func declare(on channel: AMQPChannel) throws {
        try channel.declareExchange(exchange, type: .topic, durable: true)
        for queue in [submittedQueue, statusQueue, statusDeadLetterQueue] {
            try channel.declareQueue(queue, durable: true, arguments: .quorumQueue())
        }
        try channel.bindQueue(submittedQueue, exchange: exchange, routingKey: submittedQueue)
        try channel.bindQueue(statusQueue, exchange: exchange, routingKey: statusQueue)
    }
}
