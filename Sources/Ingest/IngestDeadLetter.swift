import AMQP
import TradingCore

/// The message that carries a delivery's rejected part to `P.<queue>.dlq`.
///
/// A delivery rejected whole is republished as it came (body and properties) with the reason in
/// `x-rejection-reason`. For an array delivery whose elements were rejected only in part, the body
/// is a JSON array of just those elements, verbatim, and the reason header lists each with its
/// index (`element 3: soc 120 is outside 0-100; element 7: missing time`); `x-rejected-elements`
/// holds the indices.
struct IngestDeadLetter: Sendable, Equatable {
    static let reasonHeader = "x-rejection-reason"
    static let kindHeader = "x-rejection-kind"
    static let elementsHeader = "x-rejected-elements"
    static let queueHeader = "x-original-queue"
    /// Reason headers are capped: a 10,000-element array of bad samples must not make a
    /// megabyte header.
    static let maximumReasonBytes = 4000

    let body: [UInt8]
    let properties: AMQPProperties
    /// One entry per rejected element, for metrics.
    let kinds: [TelemetryRejection.Kind]

    /// Nil when nothing of the delivery was rejected.
    static func make<Item>(
        body original: [UInt8],
        properties originalProperties: AMQPProperties,
        decoded: TelemetryDelivery<Item>,
        wholeRejection: TelemetryRejection?,
        queue: String
    ) -> IngestDeadLetter? {
        guard wholeRejection != nil || decoded.wholeRejection != nil
            || decoded.elements.contains(where: { if case .failure = $0.outcome { true } else { false } })
        else { return nil }
        var headers = originalProperties.headers ?? [:]
        headers[queueHeader] = .string(queue)
        var properties = originalProperties

        if let rejection = wholeRejection ?? decoded.wholeRejection {
            headers[reasonHeader] = .string(capped(rejection.message))
            headers[kindHeader] = .string(rejection.kind.rawValue)
            properties.headers = headers
            let count = max(decoded.elements.count, 1)
            return IngestDeadLetter(body: original, properties: properties, kinds: Array(repeating: rejection.kind, count: count))
        }
        let rejected = decoded.rejectedElements
        guard let first = rejected.first else { return nil }
        headers[kindHeader] = .string(first.rejection.kind.rawValue)
        if !decoded.isArray {
            headers[reasonHeader] = .string(capped(first.rejection.message))
            properties.headers = headers
            return IngestDeadLetter(body: original, properties: properties, kinds: [first.rejection.kind])
        }
        var body: [UInt8] = [UInt8(ascii: "[")]
        for (position, entry) in rejected.enumerated() {
            if position > 0 { body.append(UInt8(ascii: ",")) }
            body.append(contentsOf: original[entry.element.range])
        }
        body.append(UInt8(ascii: "]"))
        let reason = rejected.map { "element \($0.element.index): \($0.rejection.message)" }.joined(separator: "; ")
        headers[reasonHeader] = .string(capped(reason))
        headers[elementsHeader] = .array(rejected.map { .long(Int64($0.element.index)) })
        properties.headers = headers
        return IngestDeadLetter(body: body, properties: properties, kinds: rejected.map(\.rejection.kind))
    }

    private static func capped(_ text: String) -> String {
        guard text.utf8.count > maximumReasonBytes else { return text }
        var cut = String(decoding: text.utf8.prefix(maximumReasonBytes), as: UTF8.self)
        if cut.last == "\u{FFFD}" { cut.removeLast() }
        return cut + "…"
    }
}
