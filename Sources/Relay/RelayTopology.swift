import AMQP

/// The queue names of the relay for a prefix `P` (DESIGN §4).
public struct RelayQueues: Sendable, Equatable {
    public let prefix: String

    public init(prefix: String) { self.prefix = prefix }

    public var commands: String { prefix + ".commands" }
    public var commandsDeadLetter: String { prefix + ".commands.dlq" }
    public var acks: String { prefix + ".command-acks" }
    public var acksDeadLetter: String { prefix + ".command-acks.dlq" }
    /// Also the routing key events are published with.
    public var events: String { prefix + ".events" }

    /// Declares the exchange, the inbound queues (bound by their own names) with their `.dlq`s,
    /// and `P.events`, all durable quorum queues. Idempotent. For local runs and tests
    /// (`RelayOptions.declareQueues`); production topology comes with enabling the organisation.
    public func declare(exchange: String, on channel: AMQPChannel) throws {
        try channel.declareExchange(exchange, type: .topic, durable: true)
        for (queue, deadLetter) in [(commands, commandsDeadLetter), (acks, acksDeadLetter)] {
            _ = try channel.declareQueue(deadLetter, durable: true, arguments: .quorumQueue())
            _ = try channel.declareQueue(queue, durable: true, arguments: .quorumQueue())
            try channel.bindQueue(queue, exchange: exchange, routingKey: queue)
        }
        _ = try channel.declareQueue(events, durable: true, arguments: .quorumQueue())
        try channel.bindQueue(events, exchange: exchange, routingKey: events)
    }
}
