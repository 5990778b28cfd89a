import Foundation

/// One AMQP delivery body decoded element by element: a single object is one element, an array
/// gives one element per entry, each with its own outcome and its exact bytes in the body.
public struct TelemetryDelivery<Item: Sendable>: Sendable {
    public struct Element: Sendable {
        /// Position in the array (0 for a single-object body).
        public let index: Int
        /// Where the element's JSON text lies in the body.
        public let range: Range<Int>
        public var outcome: Result<Item, TelemetryRejection>
    }

    /// True when the body was a JSON array.
    public let isArray: Bool
    /// Empty when the whole body was rejected.
    public var elements: [Element]
    /// Set when the body as a whole cannot be read (malformed JSON, a scalar, an empty array).
    public let wholeRejection: TelemetryRejection?

    public var acceptedItems: [Item] {
        elements.compactMap { try? $0.outcome.get() }
    }

    public var rejectedElements: [(element: Element, rejection: TelemetryRejection)] {
        elements.compactMap { element in
            if case .failure(let rejection) = element.outcome { return (element, rejection) }
            return nil
        }
    }

    /// Splits `body` into elements and decodes each with `decodeElement`; a body over
    /// `maximumBytes`, or an array of more than `maximumElements`, is refused whole (`tooLarge`).
    public static func decode(
        _ body: [UInt8],
        maximumBytes: Int = .max,
        maximumElements: Int = .max,
        decodeElement: (TelemetryJSONValue) -> Result<Item, TelemetryRejection>
    ) -> TelemetryDelivery<Item> {
        guard body.count <= maximumBytes else {
            return TelemetryDelivery(isArray: false, elements: [], wholeRejection: TelemetryRejection(
                .tooLarge, "the delivery has \(body.count) bytes; at most \(maximumBytes) are accepted"))
        }
        let document: TelemetryJSONDocument
        do {
            document = try TelemetryJSONParser.parseDocument(body)
        } catch {
            return TelemetryDelivery(isArray: false, elements: [], wholeRejection: TelemetryRejection(.malformed, error.description))
        }
        switch document {
        case .single(let value):
            guard case .object = value else {
                return TelemetryDelivery(
                    isArray: false, elements: [],
                    wholeRejection: TelemetryRejection(.malformed, "body must be a JSON object or an array of objects, got \(value.typeName)")
                )
            }
            return TelemetryDelivery(
                isArray: false,
                elements: [Element(index: 0, range: 0..<body.count, outcome: decodeElement(value))],
                wholeRejection: nil
            )
        case .array(let entries):
            guard !entries.isEmpty else {
                return TelemetryDelivery(isArray: true, elements: [], wholeRejection: TelemetryRejection(.malformed, "body is an empty array"))
            }
            guard entries.count <= maximumElements else {
                return TelemetryDelivery(isArray: true, elements: [], wholeRejection: TelemetryRejection(
                    .tooLarge, "the array has \(entries.count) elements; at most \(maximumElements) are accepted per delivery"))
            }
            var elements: [Element] = []
            elements.reserveCapacity(entries.count)
            for (index, entry) in entries.enumerated() {
                let outcome: Result<Item, TelemetryRejection>
                if case .object = entry.value {
                    outcome = decodeElement(entry.value)
                } else {
                    outcome = .failure(TelemetryRejection(.malformed, "element must be a JSON object, got \(entry.value.typeName)"))
                }
                elements.append(Element(index: index, range: entry.range, outcome: outcome))
            }
            return TelemetryDelivery(isArray: true, elements: elements, wholeRejection: nil)
        }
    }
}

/// Field readers shared by the telemetry and meter decoders; each appends its violation.
struct TelemetryFieldReader {
    let members: TelemetryJSONObject
    var violations: [TelemetryRejection] = []

    init(_ value: TelemetryJSONValue) {
        if case .object(let members) = value { self.members = members } else { self.members = [:] }
    }

    mutating func requiredUUID(_ name: String) -> UUID? {
        guard let value = members[name], value != .null else {
            violations.append(TelemetryRejection(.missingField, "missing \(name)"))
            return nil
        }
        guard case .string(let text) = value else {
            violations.append(TelemetryRejection(.invalidField, "\(name) must be a UUID string, got \(value.typeName)"))
            return nil
        }
        guard let uuid = parseTelemetryUUID(text) else {
            violations.append(TelemetryRejection(.invalidField, "\(name) \(quoted(text)) is not a UUID"))
            return nil
        }
        return uuid
    }

    mutating func requiredTime(_ name: String) -> TelemetryTimestamp? {
        guard let value = members[name], value != .null else {
            violations.append(TelemetryRejection(.missingField, "missing \(name)"))
            return nil
        }
        guard case .string(let text) = value else {
            violations.append(TelemetryRejection(.invalidField, "\(name) must be an RFC 3339 string, got \(value.typeName)"))
            return nil
        }
        guard let time = TelemetryTimestamp(rfc3339: text) else {
            violations.append(TelemetryRejection(.invalidField, "\(name) \(quoted(text)) is not an RFC 3339 date-time such as 2026-01-31T12:00:00Z"))
            return nil
        }
        return time
    }

    mutating func requiredString(_ name: String, maximumLength: Int) -> String? {
        guard let value = members[name], value != .null else {
            violations.append(TelemetryRejection(.missingField, "missing \(name)"))
            return nil
        }
        guard case .string(let text) = value else {
            violations.append(TelemetryRejection(.invalidField, "\(name) must be a string, got \(value.typeName)"))
            return nil
        }
        guard !text.isEmpty, text.utf8.count <= maximumLength else {
            violations.append(TelemetryRejection(.invalidField, "\(name) must be 1 to \(maximumLength) bytes long"))
            return nil
        }
        return text
    }

    /// A number that may be absent (missing or null); present values must be finite and in range.
    mutating func optionalNumber(_ name: String, range: ClosedRange<Double>? = nil) -> Double? {
        guard let value = members[name], value != .null else { return nil }
        return checkedNumber(name, value, range: range)
    }

    mutating func requiredNumber(_ name: String, range: ClosedRange<Double>? = nil) -> Double? {
        guard let value = members[name], value != .null else {
            violations.append(TelemetryRejection(.missingField, "missing \(name)"))
            return nil
        }
        return checkedNumber(name, value, range: range)
    }

    private mutating func checkedNumber(_ name: String, _ value: TelemetryJSONValue, range: ClosedRange<Double>?) -> Double? {
        guard case .number(let number) = value else {
            violations.append(TelemetryRejection(.invalidField, "\(name) must be a number, got \(value.typeName)"))
            return nil
        }
        guard number.isFinite else {
            violations.append(TelemetryRejection(.nonFinite, "\(name) is not a finite number"))
            return nil
        }
        if let range, !range.contains(number) {
            violations.append(TelemetryRejection(
                .outOfRange,
                "\(name) \(formatNumber(number)) is outside \(formatNumber(range.lowerBound))-\(formatNumber(range.upperBound))"
            ))
            return nil
        }
        return number
    }

    /// The time lies between the earliest accepted time (and the raw retention) and now plus the
    /// allowed skew.
    mutating func checkTime(_ time: TelemetryTimestamp, now: TelemetryTimestamp, rules: TelemetryValidationRules) {
        if time < rules.earliestTime {
            violations.append(TelemetryRejection(.outOfRange, "time \(time.rfc3339) is before \(rules.earliestTime.rfc3339)"))
            return
        }
        if let oldest = rules.oldestKept(now: now), time < oldest {
            violations.append(TelemetryRejection(
                .tooOld, "time \(time.rfc3339) is older than the raw retention of \(rules.rawRetentionDays ?? 0) days "
                    + "(samples from \(oldest.rfc3339) on are stored): it could be counted twice in the aggregates"))
            return
        }
        let limit = now.adding(microseconds: rules.maximumFutureSkewSeconds * TelemetryTimestamp.microsecondsPerSecond)
        if time > limit {
            violations.append(TelemetryRejection(
                .futureTime,
                "time \(time.rfc3339) is more than \(rules.maximumFutureSkewSeconds) s in the future"
            ))
        }
    }

    private func quoted(_ text: String) -> String {
        let shown = text.count > 64 ? String(text.prefix(64)) + "…" : text
        return "\"" + shown + "\""
    }
}

func formatNumber(_ value: Double) -> String {
    value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
}

/// Parses the canonical 8-4-4-4-12 hex form (either case) without going through
/// `UUID(uuidString:)`, which formats and scans through C stdio and dominated decoding profiles.
func parseTelemetryUUID(_ text: String) -> UUID? {
    var text = text
    return text.withUTF8 { bytes -> UUID? in
        guard bytes.count == 36 else { return nil }
        var raw = [UInt8](repeating: 0, count: 16)
        var byteIndex = 0
        var index = 0
        while index < 36 {
            if index == 8 || index == 13 || index == 18 || index == 23 {
                guard bytes[index] == UInt8(ascii: "-") else { return nil }
                index += 1
                continue
            }
            guard let high = hexValue(bytes[index]), let low = hexValue(bytes[index + 1]) else { return nil }
            raw[byteIndex] = high << 4 | low
            byteIndex += 1
            index += 2
        }
        return UUID(uuid: (raw[0], raw[1], raw[2], raw[3], raw[4], raw[5], raw[6], raw[7],
                           raw[8], raw[9], raw[10], raw[11], raw[12], raw[13], raw[14], raw[15]))
    }
}

private func hexValue(_ c: UInt8) -> UInt8? {
    switch c {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
    case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
    case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
    default: nil
    }
}
