import AMQP

/// A message that can never be processed, on its way to `P.<queue>.dlq`: republished as it came
/// (body and properties) with the reason in headers, since a broker-side reject cannot add one
/// (DESIGN §4). Shared by every consumer that dead-letters whole deliveries.
public struct DeadLetter: Sendable, Equatable {
    public static let reasonHeader = "x-rejection-reason"
    public static let kindHeader = "x-rejection-kind"
    public static let queueHeader = "x-original-queue"
    /// Reason headers are capped so a pathological message cannot make a huge header.
    public static let maximumReasonBytes = 4000

    /// The `.dlq` queue it goes to (published through the default exchange).
    public let deadLetterQueue: String
    public let body: [UInt8]
    public let properties: AMQPProperties

    /// - Parameters:
    ///   - kind: a short machine label (`malformed`, `unknown_plant`…), for metrics and triage.
    ///   - queue: the queue the message was consumed from.
    ///   - extraHeaders: more headers for triage (e.g. which array elements were refused).
    public init(body: [UInt8], properties original: AMQPProperties, reason: String, kind: String,
                queue: String, deadLetterQueue: String, extraHeaders: AMQPTable = [:]) {
        var headers = original.headers ?? [:]
        for (key, value) in extraHeaders { headers[key] = value }
        headers[Self.reasonHeader] = .string(Self.capped(reason))
        headers[Self.kindHeader] = .string(kind)
        headers[Self.queueHeader] = .string(queue)
        var properties = original
        properties.headers = headers
        self.deadLetterQueue = deadLetterQueue
        self.body = body
        self.properties = properties
    }

    public init(_ delivery: AMQPDelivery, reason: String, kind: String, queue: String, deadLetterQueue: String) {
        self.init(body: delivery.body, properties: delivery.properties, reason: reason, kind: kind, queue: queue,
                  deadLetterQueue: deadLetterQueue)
    }

    /// `text` cut to `maximumReasonBytes` on a character boundary, with an ellipsis when cut.
    public static func capped(_ text: String) -> String {
        guard text.utf8.count > maximumReasonBytes else { return text }
        var cut = String(decoding: text.utf8.prefix(maximumReasonBytes), as: UTF8.self)
        if cut.last == "\u{FFFD}" { cut.removeLast() }
        return cut + "…"
    }
}

/// Publishes dead letters on a confirm-mode channel and waits until the broker confirmed them
/// all: only then may the consumer ack the originals, so a dead letter is never lost.
public enum DeadLetterPublisher {
    /// - Throws: `.unroutable` when a `.dlq` queue does not exist (mandatory publish), a nack, or a
    ///   connection failure; the caller must not ack the originals then.
    public static func publish(_ letters: [DeadLetter], on channel: AMQPChannel, confirmTimeout: Duration = .seconds(30)) throws {
        guard !letters.isEmpty else { return }
        for letter in letters {
            try channel.publish(exchange: "", routingKey: letter.deadLetterQueue, body: letter.body,
                                properties: letter.properties, mandatory: true)
        }
        try channel.waitForConfirms(timeout: confirmTimeout)
    }
}
