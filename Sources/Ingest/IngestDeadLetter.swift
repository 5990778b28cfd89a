import AMQP
import Messaging
import TradingCore

/// The dead letter that carries a delivery's refused part to `P.<queue>.dlq` (a
/// `Messaging.DeadLetter`, with its headers, cap and confirmed publisher).
///
/// A delivery refused whole is republished as it came (body and properties) with the reason in
/// `x-rejection-reason`. For an array delivery whose elements were refused only in part, the body
/// is a JSON array of just those elements, verbatim, and the reason lists each with its index
/// (`element 3: soc 120 is outside 0-100; element 7: missing time`); `x-rejected-elements` holds
/// the indices.
enum IngestDeadLetter {
    static let elementsHeader = "x-rejected-elements"

    /// The letter and one rejection kind per refused element (for metrics); nil when nothing of
    /// the delivery was refused.
    static func make<Item>(
        body original: [UInt8],
        properties: AMQPProperties,
        decoded: TelemetryDelivery<Item>,
        wholeRejection: TelemetryRejection?,
        queue: String,
        deadLetterQueue: String
    ) -> (letter: DeadLetter, kinds: [TelemetryRejection.Kind])? {
        func letter(_ body: [UInt8], reason: String, kind: TelemetryRejection.Kind, extraHeaders: AMQPTable = [:]) -> DeadLetter {
            DeadLetter(body: body, properties: properties, reason: reason, kind: kind.rawValue, queue: queue,
                       deadLetterQueue: deadLetterQueue, extraHeaders: extraHeaders)
        }
        // The common case first and cheaply: nothing of the delivery was refused.
        guard wholeRejection != nil || decoded.wholeRejection != nil
            || decoded.elements.contains(where: { if case .failure = $0.outcome { true } else { false } })
        else { return nil }
        if let rejection = wholeRejection ?? decoded.wholeRejection {
            let count = max(decoded.elements.count, 1)
            return (letter(original, reason: rejection.message, kind: rejection.kind), Array(repeating: rejection.kind, count: count))
        }
        let rejected = decoded.rejectedElements
        guard let first = rejected.first else { return nil }
        if !decoded.isArray {
            return (letter(original, reason: first.rejection.message, kind: first.rejection.kind), [first.rejection.kind])
        }
        var body: [UInt8] = [UInt8(ascii: "[")]
        for (position, entry) in rejected.enumerated() {
            if position > 0 { body.append(UInt8(ascii: ",")) }
            body.append(contentsOf: original[entry.element.range])
        }
        body.append(UInt8(ascii: "]"))
        let reason = rejected.map { "element \($0.element.index): \($0.rejection.message)" }.joined(separator: "; ")
        let elements: AMQPTable = [elementsHeader: .array(rejected.map { .long(Int64($0.element.index)) })]
        return (letter(body, reason: reason, kind: first.rejection.kind, extraHeaders: elements), rejected.map(\.rejection.kind))
    }
}
