import CRabbitMQ
import struct Foundation.Date

/// Message properties (basic class content header). Nil fields are not sent.
public struct AMQPProperties: Sendable, Equatable {
    public enum DeliveryMode: UInt8, Sendable {
        case transient = 1
        /// Written to disk by classic queues; quorum queues store every message anyway.
        case persistent = 2
    }

    public var contentType: String?
    public var contentEncoding: String?
    public var headers: AMQPTable?
    public var deliveryMode: DeliveryMode?
    public var priority: UInt8?
    public var correlationId: String?
    public var replyTo: String?
    /// Per-message TTL in milliseconds, as a decimal string (AMQP's encoding).
    public var expiration: String?
    public var messageId: String?
    /// Whole seconds since 1970 on the wire.
    public var timestamp: Date?
    public var type: String?
    public var userId: String?
    public var appId: String?

    public init(contentType: String? = nil, contentEncoding: String? = nil, headers: AMQPTable? = nil,
                deliveryMode: DeliveryMode? = .persistent, priority: UInt8? = nil, correlationId: String? = nil,
                replyTo: String? = nil, expiration: String? = nil, messageId: String? = nil,
                timestamp: Date? = nil, type: String? = nil, userId: String? = nil, appId: String? = nil) {
        self.contentType = contentType
        self.contentEncoding = contentEncoding
        self.headers = headers
        self.deliveryMode = deliveryMode
        self.priority = priority
        self.correlationId = correlationId
        self.replyTo = replyTo
        self.expiration = expiration
        self.messageId = messageId
        self.timestamp = timestamp
        self.type = type
        self.userId = userId
        self.appId = appId
    }

    /// Persistent JSON, the usual shape of tradingd's messages.
    public static func json(messageId: String? = nil, correlationId: String? = nil,
                            headers: AMQPTable? = nil) -> AMQPProperties {
        AMQPProperties(contentType: "application/json", headers: headers, deliveryMode: .persistent,
                       correlationId: correlationId, messageId: messageId)
    }
}

extension AMQPProperties {
    private static let contentTypeFlag: UInt32 = 1 << 15
    private static let contentEncodingFlag: UInt32 = 1 << 14
    private static let headersFlag: UInt32 = 1 << 13
    private static let deliveryModeFlag: UInt32 = 1 << 12
    private static let priorityFlag: UInt32 = 1 << 11
    private static let correlationIdFlag: UInt32 = 1 << 10
    private static let replyToFlag: UInt32 = 1 << 9
    private static let expirationFlag: UInt32 = 1 << 8
    private static let messageIdFlag: UInt32 = 1 << 7
    private static let timestampFlag: UInt32 = 1 << 6
    private static let typeFlag: UInt32 = 1 << 5
    private static let userIdFlag: UInt32 = 1 << 4
    private static let appIdFlag: UInt32 = 1 << 3

    /// The C structure, with all bytes owned by `arena`.
    func cProperties(in arena: CArena) -> amqp_basic_properties_t {
        var p = amqp_basic_properties_t()
        var flags: UInt32 = 0
        func set(_ value: String?, _ flag: UInt32, _ field: inout amqp_bytes_t) {
            guard let value else { return }
            field = arena.bytes(value)
            flags |= flag
        }
        set(contentType, Self.contentTypeFlag, &p.content_type)
        set(contentEncoding, Self.contentEncodingFlag, &p.content_encoding)
        set(correlationId, Self.correlationIdFlag, &p.correlation_id)
        set(replyTo, Self.replyToFlag, &p.reply_to)
        set(expiration, Self.expirationFlag, &p.expiration)
        set(messageId, Self.messageIdFlag, &p.message_id)
        set(type, Self.typeFlag, &p.type)
        set(userId, Self.userIdFlag, &p.user_id)
        set(appId, Self.appIdFlag, &p.app_id)
        if let headers {
            p.headers = arena.table(headers)
            flags |= Self.headersFlag
        }
        if let deliveryMode {
            p.delivery_mode = deliveryMode.rawValue
            flags |= Self.deliveryModeFlag
        }
        if let priority {
            p.priority = priority
            flags |= Self.priorityFlag
        }
        if let timestamp {
            p.timestamp = UInt64(max(0, timestamp.timeIntervalSince1970.rounded(.down)))
            flags |= Self.timestampFlag
        }
        p._flags = flags
        return p
    }

    /// A copy of a received C structure.
    init(_ p: amqp_basic_properties_t) {
        let flags = p._flags
        func get(_ flag: UInt32, _ field: amqp_bytes_t) -> String? {
            flags & flag != 0 ? field.swiftString : nil
        }
        self.init(deliveryMode: nil)
        contentType = get(Self.contentTypeFlag, p.content_type)
        contentEncoding = get(Self.contentEncodingFlag, p.content_encoding)
        correlationId = get(Self.correlationIdFlag, p.correlation_id)
        replyTo = get(Self.replyToFlag, p.reply_to)
        expiration = get(Self.expirationFlag, p.expiration)
        messageId = get(Self.messageIdFlag, p.message_id)
        type = get(Self.typeFlag, p.type)
        userId = get(Self.userIdFlag, p.user_id)
        appId = get(Self.appIdFlag, p.app_id)
        if flags & Self.headersFlag != 0 { headers = AMQPTable(p.headers) }
        if flags & Self.deliveryModeFlag != 0 { deliveryMode = DeliveryMode(rawValue: p.delivery_mode) }
        if flags & Self.priorityFlag != 0 { priority = p.priority }
        if flags & Self.timestampFlag != 0 { timestamp = Date(timeIntervalSince1970: Double(p.timestamp)) }
    }
}

/// A received message. Everything is copied out of librabbitmq's buffers.
///
/// `deliveryTag` is only meaningful on the channel that received it: after a reconnect the
/// broker redelivers unacked messages with new tags, and acking an old tag is refused with
/// `AMQPError.staleDelivery` (see `AMQPChannel.ack(_:multiple:)`).
public struct AMQPDelivery: Sendable {
    public let deliveryTag: UInt64
    public let redelivered: Bool
    public let exchange: String
    public let routingKey: String
    /// Empty for basic.get.
    public let consumerTag: String
    public let properties: AMQPProperties
    public let body: [UInt8]
    /// Identifies the channel (and hence connection) this delivery came from.
    public let channelIdentity: UInt64

    public var messageId: String? { properties.messageId }
    public var correlationId: String? { properties.correlationId }
    public var headers: AMQPTable { properties.headers ?? [:] }
    public var bodyString: String { String(decoding: body, as: UTF8.self) }
}

/// A mandatory message the broker could not route (basic.return).
public struct AMQPReturnedMessage: Sendable {
    public let replyCode: UInt16
    public let replyText: String
    public let exchange: String
    public let routingKey: String
    public let properties: AMQPProperties
    public let body: [UInt8]
}
