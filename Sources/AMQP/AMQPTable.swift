import struct Foundation.Date

/// One value of an AMQP field table (queue arguments, message headers).
///
/// Encoded with the type letters RabbitMQ reads unambiguously: `S`, `x`, `t`, `I`, `l`, `d`, `T`,
/// `F`, `A`, `V`. On decoding, the small integer kinds widen to `.int` and unsigned 32-bit to
/// `.long`.
public enum AMQPFieldValue: Sendable, Equatable, Hashable {
    case string(String)
    case bytes([UInt8])
    case bool(Bool)
    case int(Int32)
    case long(Int64)
    case double(Double)
    case timestamp(Date)
    case table(AMQPTable)
    case array([AMQPFieldValue])
    case void

    public var stringValue: String? {
        switch self {
        case .string(let s): s
        case .bytes(let b): String(decoding: b, as: UTF8.self)
        default: nil
        }
    }

    /// Any integer kind, widened.
    public var intValue: Int64? {
        switch self {
        case .int(let v): Int64(v)
        case .long(let v): v
        default: nil
        }
    }

    public var boolValue: Bool? {
        if case .bool(let b) = self { return b }
        return nil
    }
}

extension AMQPFieldValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByFloatLiteral
{
    public init(stringLiteral value: String) { self = .string(value) }
    /// Integer literals become `long` (`l`), which every RabbitMQ argument accepts.
    public init(integerLiteral value: Int64) { self = .long(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(floatLiteral value: Double) { self = .double(value) }
}

/// An AMQP field table: string keys to values. Key order is not significant in AMQP.
public struct AMQPTable: Sendable, Equatable, Hashable, ExpressibleByDictionaryLiteral, Sequence {
    public var entries: [String: AMQPFieldValue]

    public init(_ entries: [String: AMQPFieldValue] = [:]) { self.entries = entries }
    public init(dictionaryLiteral elements: (String, AMQPFieldValue)...) {
        entries = Dictionary(elements, uniquingKeysWith: { _, last in last })
    }

    public subscript(key: String) -> AMQPFieldValue? {
        get { entries[key] }
        set { entries[key] = newValue }
    }

    public var isEmpty: Bool { entries.isEmpty }
    public var count: Int { entries.count }
    public func makeIterator() -> Dictionary<String, AMQPFieldValue>.Iterator { entries.makeIterator() }
}

extension AMQPTable {
    /// Queue arguments for a durable quorum queue, optionally dead-lettering to an exchange.
    public static func quorumQueue(deadLetterExchange: String? = nil, deadLetterRoutingKey: String? = nil,
                                   deliveryLimit: Int64? = nil) -> AMQPTable {
        var table: AMQPTable = ["x-queue-type": "quorum"]
        if let deadLetterExchange { table["x-dead-letter-exchange"] = .string(deadLetterExchange) }
        if let deadLetterRoutingKey { table["x-dead-letter-routing-key"] = .string(deadLetterRoutingKey) }
        if let deliveryLimit { table["x-delivery-limit"] = .long(deliveryLimit) }
        return table
    }
}
