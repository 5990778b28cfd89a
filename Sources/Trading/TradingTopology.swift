import AMQP
import Foundation

/// An organisation's queues (DESIGN §4): four inbound quorum queues, each with a `.dlq`, and one
/// outbound queue, each bound to the shared topic exchange with its own name as routing key.
public struct TradingTopology: Sendable {
    public enum Direction: String, Sendable {
        case inbound, outbound
    }

    public struct Queue: Sendable, Equatable {
        public let name: String
        public let direction: Direction
        public let routingKey: String
        public let description: String
        /// `<name>.dlq` for inbound queues.
        public let deadLetterQueue: String?
    }

    public let queuePrefix: String
    public let exchange: String
    public let deadLetterExchange: String

    public init(queuePrefix: String, exchange: String, deadLetterExchange: String) {
        self.queuePrefix = queuePrefix
        self.exchange = exchange
        self.deadLetterExchange = deadLetterExchange
    }

    public var queues: [Queue] {
        func queue(_ suffix: String, _ direction: Direction, _ description: String) -> Queue {
            let name = "\(queuePrefix).\(suffix)"
            return Queue(name: name, direction: direction, routingKey: name, description: description,
                         deadLetterQueue: direction == .inbound ? name + ".dlq" : nil)
        }
        return [
            queue("telemetry", .inbound, "Plant telemetry: one sample object or a JSON array of them "
                + "{plant_id, time (RFC 3339), consumption, fve_power, fve_reg, grid_power, invertor_power, soc}"),
            queue("meters", .inbound, "Meter readings: one object or an array {plant_id, meter_id, time, energy (kWh)}"),
            queue("commands", .inbound, "Commands for the ESM {messageId, correlationId, plantId or siteId, commandType, "
                + "payload, validUntil?}; SITE_SETPOINT and MODE_CHANGE are relayed"),
            queue("command-acks", .inbound, "ESM acknowledgements {correlationId, status, executedAt?, reason?}"),
            queue("events", .outbound, "Command status changes for the partner to consume"),
        ]
    }

    /// Every queue name, dead-letter queues included.
    public var allQueueNames: [String] {
        queues.flatMap { [$0.name] + ($0.deadLetterQueue.map { [$0] } ?? []) }
    }

    /// Declares the exchanges, queues and bindings; declaring what exists already is a no-op, so
    /// running it twice (or on two replicas at once) is safe.
    ///
    /// Queues carry only `x-queue-type: quorum`, the same arguments as the ingest and relay
    /// consumers use when they declare for local runs (different arguments would make one of the
    /// declarations fail with PRECONDITION_FAILED). Consumers dead-letter by publishing to the
    /// `.dlq` themselves (with the reason in a header); broker-side dead-lettering, when wanted,
    /// comes from a policy (`dead-letter-exchange: trading.dlx` on `^P\.`): each `.dlq` is bound
    /// to the dead-letter exchange with its queue's routing key (and its own name).
    public func declare(on channel: AMQPChannel) throws {
        try channel.declareExchange(exchange, type: .topic, durable: true)
        try channel.declareExchange(deadLetterExchange, type: .topic, durable: true)
        for queue in queues {
            try channel.declareQueue(queue.name, durable: true, arguments: .quorumQueue())
            try channel.bindQueue(queue.name, exchange: exchange, routingKey: queue.routingKey)
            if let deadLetterQueue = queue.deadLetterQueue {
                try channel.declareQueue(deadLetterQueue, durable: true, arguments: .quorumQueue())
                try channel.bindQueue(deadLetterQueue, exchange: deadLetterExchange, routingKey: queue.routingKey)
                try channel.bindQueue(deadLetterQueue, exchange: deadLetterExchange, routingKey: deadLetterQueue)
            }
        }
    }

    /// Deletes the organisation's queues (messages included); missing ones are fine. The shared
    /// exchanges stay.
    public func delete(on channel: AMQPChannel) throws {
        for name in allQueueNames {
            try channel.deleteQueue(name)
        }
    }

    /// The routing keys the partner may publish on the shared exchange.
    public var partnerPublishPattern: String { "^\(Self.regexEscaped(queuePrefix))\\.(telemetry|meters|commands)$" }

    /// The regular expression matching this organisation's resources and routing keys.
    public var resourcePattern: String { "^\(Self.regexEscaped(queuePrefix))\\." }

    static func regexEscaped(_ text: String) -> String {
        var escaped = ""
        for character in text {
            if "\\^$.|?*+()[]{}-".contains(character) { escaped.append("\\") }
            escaped.append(character)
        }
        return escaped
    }
}
