import AMQP
import Observability

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
    /// The delivery it refuses, so that the original can be rejected to the broker's
    /// dead-letter exchange when the letter cannot be published (`DeadLetterPublisher`).
    public var deliveryTag: UInt64?

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
        deliveryTag = delivery.deliveryTag
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
///
/// A letter that fails never stalls the queue (the redelivery loop DESIGN §4 forbids): a letter
/// returned unroutable has lost its `.dlq` (deleted by hand), which is declared again and the
/// letter sent once more; a letter the broker nacks is sent again as a minimal letter (the body
/// with the three rejection headers only, the partner's headers and properties dropped). A
/// letter that still fails is reported as `undeliverable`: the consumer rejects its original
/// without requeue, so the broker dead-letters it itself (through the queue's dead-letter
/// exchange policy, `trading.dlx`), and counts and logs it.
public enum DeadLetterPublisher {
    /// What it took to publish a set of letters.
    public struct Report: Sendable, Equatable {
        /// `.dlq` queues that were missing and declared again.
        public var redeclaredQueues: [String] = []
        /// Letters sent again as minimal letters after a nack.
        public var minimalLetters = 0
        /// Indices (into the letters given) that could not be published at all.
        public var undeliverable: [Int] = []
        public init() {}
    }

    /// - Throws: connection failures and timeouts (nothing is acked then; the batch comes back).
    @discardableResult
    public static func publish(_ letters: [DeadLetter], on channel: AMQPChannel,
                               confirmTimeout: Duration = .seconds(30)) throws -> Report {
        var report = Report()
        guard !letters.isEmpty else { return report }
        var failed = try send(Array(letters.indices), of: letters, minimal: false, on: channel, timeout: confirmTimeout)
        if !failed.unroutable.isEmpty {
            let missing = Set(failed.unroutable.map { letters[$0].deadLetterQueue }).sorted()
            for queue in missing {
                try channel.declareQueue(queue, durable: true, arguments: .quorumQueue())
            }
            report.redeclaredQueues = missing
            let again = try send(failed.unroutable, of: letters, minimal: false, on: channel, timeout: confirmTimeout)
            failed = (unroutable: again.unroutable, nacked: failed.nacked + again.nacked)
        }
        let remaining = (failed.unroutable + failed.nacked).sorted()
        if !remaining.isEmpty {
            report.minimalLetters = remaining.count
            let last = try send(remaining, of: letters, minimal: true, on: channel, timeout: confirmTimeout)
            report.undeliverable = (last.unroutable + last.nacked).sorted()
        }
        return report
    }

    /// Publishes the letters at `indices`; returns which were returned and which were nacked.
    private static func send(_ indices: [Int], of letters: [DeadLetter], minimal: Bool, on channel: AMQPChannel,
                             timeout: Duration) throws -> (unroutable: [Int], nacked: [Int]) {
        var bySequence: [UInt64: Int] = [:]
        for index in indices {
            let letter = letters[index]
            let sequence = try channel.publish(exchange: "", routingKey: letter.deadLetterQueue, body: letter.body,
                                               properties: minimal ? letter.minimalProperties : letter.properties, mandatory: true)
            bySequence[sequence] = index
        }
        let settled = try channel.settleConfirms(timeout: timeout)
        let nacked = settled.nacked.compactMap { bySequence[$0] }.sorted()
        // A returned letter is matched by its queue: every letter to a queue that is missing fails alike.
        let missingQueues = Set(settled.returned.map(\.routingKey))
        let unroutable = indices.filter { missingQueues.contains(letters[$0].deadLetterQueue) && !nacked.contains($0) }
        return (unroutable, nacked)
    }
}

extension DeadLetter {
    /// The letter's properties reduced to the rejection headers: what is left to try when the
    /// broker nacked the full letter (a header table too large, a property it refused).
    var minimalProperties: AMQPProperties {
        var headers: AMQPTable = [:]
        for key in [Self.reasonHeader, Self.kindHeader, Self.queueHeader, "x-rejected-elements"] {
            if let value = properties.headers?[key] { headers[key] = value }
        }
        var minimal = AMQPProperties()
        minimal.headers = headers
        minimal.contentType = properties.contentType
        minimal.deliveryMode = properties.deliveryMode
        return minimal
    }
}

extension DeadLetterPublisher {
    /// Publishes the letters of a batch, rejects without requeue each original (found in `batch`
    /// by the letter's `deliveryTag`) whose letter could not be published at all (the broker
    /// dead-letters it through the queue's dead-letter exchange), and logs every fallback taken.
    /// The caller then acks the batch with one `multiple` ack.
    /// - Returns: the report, for the consumer's metrics (`fallbacks`).
    /// - Throws: connection failures, and an undeliverable letter without its original.
    @discardableResult
    public static func deadLetter(_ letters: [DeadLetter], from batch: [AMQPDelivery], through consumer: ReconnectingConsumer,
                                  log: Logger) throws -> Report {
        let report = try publish(letters, on: consumer.publishingChannel())
        if !report.redeclaredQueues.isEmpty {
            log.error("dead-letter queue was missing; declared it again", ["queues": report.redeclaredQueues.joined(separator: ",")])
        }
        if report.minimalLetters > 0 {
            log.error("dead letters nacked by the broker; sent again without the partner's headers",
                      ["count": String(report.minimalLetters)])
        }
        for index in report.undeliverable {
            guard let original = batch.first(where: { $0.deliveryTag == letters[index].deliveryTag }) else {
                throw AMQPError(.invalidArgument, detail: "an undeliverable dead letter has no original in its batch", isRetriable: false)
            }
            try consumer.reject(original, requeue: false)
            log.error("dead letter could not be published; rejected to the broker's dead-letter exchange", [
                "queue": letters[index].deadLetterQueue,
                "reason": letters[index].properties.headers?[DeadLetter.reasonHeader]?.stringValue ?? "",
            ])
        }
        return report
    }
}

extension DeadLetterPublisher.Report {
    /// Fallbacks taken (queues declared again, minimal letters, originals rejected to the
    /// broker): the `dead_letter_fallbacks` metric.
    public var fallbacks: Int { redeclaredQueues.count + minimalLetters + undeliverable.count }
}
