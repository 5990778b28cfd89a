import Foundation
import Timekeeping

/// PostgreSQL's text format for the types this wrapper supports, both directions.
///
/// Sessions are set to `TimeZone=UTC`, `DateStyle=ISO` and `bytea_output=hex` on connect; parsing
/// still honours any UTC offset the server prints.
enum PostgresTextFormat {
    // MARK: Scalars

    static func double(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value < 0 ? "-Infinity" : "Infinity" }
        return "\(value)"  // shortest text that reads back as the same Double
    }

    static func parseDouble(_ text: String) -> Double? {
        switch text {
        case "NaN": return .nan
        case "Infinity": return .infinity
        case "-Infinity": return -.infinity
        default: return Double(text)
        }
    }

    static func decimal(_ value: Decimal) -> String {
        value.isNaN ? "NaN" : value.description
    }

    /// Decimal keeps 38 significant digits; a numeric with more would be silently rounded, so it
    /// is refused instead.
    static func parseDecimal(_ text: String) -> Decimal? {
        if text == "NaN" { return .nan }
        var digits = Substring(text)
        if digits.first == "-" || digits.first == "+" { digits = digits.dropFirst() }
        guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == ".") }) else { return nil }
        var significant = digits.filter { $0 != "." }.drop { $0 == "0" }
        if digits.contains(".") { while significant.last == "0" { significant.removeLast() } }
        guard significant.count <= 38 else { return nil }
        return Decimal(string: text, locale: Locale(identifier: "en_US_POSIX"))
    }

    static func parseInt(_ bytes: UnsafeBufferPointer<UInt8>) -> Int64? {
        var index = 0
        var negative = false
        if bytes.count > 0, bytes[0] == UInt8(ascii: "-") { negative = true; index = 1 }
        guard index < bytes.count else { return nil }
        var value: Int64 = 0
        while index < bytes.count {
            let digit = bytes[index] &- UInt8(ascii: "0")
            guard digit < 10 else { return nil }
            let (shifted, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (next, overflow2) = negative
                ? shifted.subtractingReportingOverflow(Int64(digit)) : shifted.addingReportingOverflow(Int64(digit))
            guard !overflow1, !overflow2 else { return nil }
            value = next
            index += 1
        }
        return value
    }

    // MARK: bytea

    static func parseByteaHex(_ text: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        guard text.count >= 2, text[0] == UInt8(ascii: "\\"), text[1] == UInt8(ascii: "x"), text.count % 2 == 0 else {
            return nil
        }
        func nibble(_ c: UInt8) -> UInt8? {
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
            default: return nil
            }
        }
        var out = [UInt8]()
        out.reserveCapacity((text.count - 2) / 2)
        var index = 2
        while index < text.count {
            guard let high = nibble(text[index]), let low = nibble(text[index + 1]) else { return nil }
            out.append(high << 4 | low)
            index += 2
        }
        return out
    }

    // MARK: timestamptz

    /// Seconds between 1970-01-01 and Foundation's reference date 2001-01-01.
    private static let referenceDateMicros: Int64 = 978_307_200 * 1_000_000
    private static let microsPerDay: Int64 = 86_400 * 1_000_000

    /// Microseconds since 1970, rounded; computed from the reference-date interval Date stores.
    static func microseconds(_ date: Date) -> Int64? {
        let micros = (date.timeIntervalSinceReferenceDate * 1_000_000).rounded()
        guard micros.isFinite, abs(micros) < 9e17 else { return nil }
        return Int64(micros) + referenceDateMicros
    }

    static func date(microseconds: Int64) -> Date {
        Date(timeIntervalSinceReferenceDate: Double(microseconds - referenceDateMicros) / 1_000_000)
    }

    /// Civil UTC date, seconds of the day and microseconds of a Date; nil outside years 1...9999.
    static func utcParts(_ date: Date) -> (year: Int64, month: Int64, day: Int64, seconds: Int64, microseconds: Int64)? {
        guard let micros = microseconds(date) else { return nil }
        let days = CivilDate.floorDivide(micros, microsPerDay)
        let timeOfDay = micros - days * microsPerDay
        let (year, month, day) = CivilDate.date(days: days)
        guard (1...9999).contains(year) else { return nil }
        return (year, month, day, timeOfDay / 1_000_000, timeOfDay % 1_000_000)
    }

    /// Parses `YYYY-MM-DD HH:MM:SS[.ffffff]±HH[:MM[:SS]]` (DateStyle ISO output).
    static func parseTimestamp(_ text: String) -> Date? {
        var scanner = DigitScanner(Array(text.utf8))
        guard let year = scanner.number(digits: 4), scanner.skip("-"),
            let month = scanner.number(digits: 2), scanner.skip("-"),
            let day = scanner.number(digits: 2), scanner.skip(" ") || scanner.skip("T"),
            let hour = scanner.number(digits: 2), scanner.skip(":"),
            let minute = scanner.number(digits: 2), scanner.skip(":"),
            let second = scanner.number(digits: 2)
        else { return nil }
        var fraction: Int64 = 0
        if scanner.skip(".") {
            var scale: Int64 = 100_000
            var count = 0
            while let digit = scanner.digit() {
                count += 1
                guard count <= 6 else { return nil }
                fraction += Int64(digit) * scale
                scale /= 10
            }
            guard count > 0 else { return nil }
        }
        var offsetSeconds: Int64 = 0
        if !scanner.skip("Z") {
            let sign: Int64
            if scanner.skip("+") { sign = 1 } else if scanner.skip("-") { sign = -1 } else { return nil }
            guard let hours = scanner.number(digits: 2) else { return nil }
            var total = hours * 3600
            if scanner.skip(":") {
                guard let minutes = scanner.number(digits: 2) else { return nil }
                total += minutes * 60
                if scanner.skip(":") {
                    guard let secs = scanner.number(digits: 2) else { return nil }
                    total += secs
                }
            }
            offsetSeconds = sign * total
        }
        guard scanner.atEnd, (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61
        else { return nil }
        let days = CivilDate.days(year: year, month: month, day: day)
        let seconds = days * 86_400 + hour * 3600 + minute * 60 + second - offsetSeconds
        return date(microseconds: seconds * 1_000_000 + fraction)
    }
}

/// A cursor over ASCII bytes for the timestamp parser.
private struct DigitScanner {
    private let bytes: [UInt8]
    private var index = 0
    init(_ bytes: [UInt8]) { self.bytes = bytes }

    var atEnd: Bool { index == bytes.count }

    mutating func skip(_ character: Unicode.Scalar) -> Bool {
        guard index < bytes.count, bytes[index] == UInt8(ascii: character) else { return false }
        index += 1
        return true
    }

    mutating func digit() -> Int? {
        guard index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) else { return nil }
        index += 1
        return Int(bytes[index - 1] - UInt8(ascii: "0"))
    }

    mutating func number(digits: Int) -> Int64? {
        var value: Int64 = 0
        for _ in 0..<digits {
            guard let d = digit() else { return nil }
            value = value * 10 + Int64(d)
        }
        return value
    }
}
