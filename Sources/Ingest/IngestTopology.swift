import AMQP

/// Declares a consumed queue and its `.dlq` as durable quorum queues, the queue bound to the
/// exchange by its own name. Only for local runs and tests (`IngestOptions.declareQueues`); in
/// production, enabling an organisation declares its topology.
public enum IngestTopology {
    public static func declare(kind: IngestQueueKind, queue: String, deadLetterQueue: String, exchange: String,
                        on channel: AMQPChannel) throws {
        try channel.declareExchange(exchange, type: .topic, durable: true)
        _ = try channel.declareQueue(deadLetterQueue, durable: true, arguments: .quorumQueue())
        _ = try channel.declareQueue(queue, durable: true, arguments: .quorumQueue())
        try channel.bindQueue(queue, exchange: exchange, routingKey: queue)
    }
}
