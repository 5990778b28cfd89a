import Foundation
import Timekeeping

/// An instant in UTC with PostgreSQL's precision: whole microseconds since 1970-01-01T00:00:00Z.
///
/// Telemetry is keyed by `(plant_id, time)`, so two spellings of one instant
/// (`…T10:00:00Z` and `…T12:00:00+02:00`) must compare equal; keeping the instant as an integer
/// makes equality, ordering and bucket arithmetic exact.
public struct TelemetryTimestamp: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let microsecondsSinceEpoch: Int64

    public static let microsecondsPerSecond: Int64 = 1_000_000
    public static let microsecondsPerMinute: Int64 = 60_000_000

    public init(microsecondsSinceEpoch: Int64) {
        self.microsecondsSinceEpoch = microsecondsSinceEpoch
    }

    public init(secondsSinceEpoch: Int64) {
        self.microsecondsSinceEpoch = secondsSinceEpoch * Self.microsecondsPerSecond
    }

    public static func < (lhs: Self, rhs: Self) -> Bool {
        lhs.microsecondsSinceEpoch < rhs.microsecondsSinceEpoch
    }

    public func adding(microseconds: Int64) -> TelemetryTimestamp {
        TelemetryTimestamp(microsecondsSinceEpoch: microsecondsSinceEpoch + microseconds)
    }

    public func adding(minutes: Int64) -> TelemetryTimestamp {
        adding(microseconds: minutes * Self.microsecondsPerMinute)
    }

    public var description: String { rfc3339 }

    // MARK: RFC 3339

    /// Parses an RFC 3339 date-time (`2026-11-23T10:15:30.250Z`, `…+01:00`; `T` or a space; up
    /// to 9 fraction digits, of which the first 6 are kept). Returns nil for anything else.
    public init?(rfc3339 text: String) {
        var text = text
        let parsed: Int64? = text.withUTF8 { Self.parse(Array($0)[...]) }
        guard let parsed else { return nil }
        self.microsecondsSinceEpoch = parsed
    }

    /// The same parse over UTF-8 bytes (used by the JSON decoder without building a String).
    public init?(rfc3339Bytes bytes: ArraySlice<UInt8>) {
        guard let parsed = Self.parse(bytes) else { return nil }
        self.microsecondsSinceEpoch = parsed
    }

    /// `YYYY-MM-DDTHH:MM:SS[.ffffff]Z` in UTC; the fraction only when non-zero, without
    /// trailing zeros.
    public var rfc3339: String {
        let micros = microsecondsSinceEpoch
        let seconds = floorDivide(micros, Self.microsecondsPerSecond)
        let fraction = micros - seconds * Self.microsecondsPerSecond
        let days = floorDivide(seconds, 86_400)
        let secondOfDay = seconds - days * 86_400
        let (year, month, day) = CivilDate.date(days: days)
        var out = pad(year, 4) + "-" + pad(month, 2) + "-" + pad(day, 2) + "T"
        out += pad(secondOfDay / 3600, 2) + ":" + pad(secondOfDay % 3600 / 60, 2) + ":" + pad(secondOfDay % 60, 2)
        if fraction != 0 {
            var digits = pad(fraction, 6)
            while digits.hasSuffix("0") { digits.removeLast() }
            out += "." + digits
        }
        return out + "Z"
    }

    /// `YYYY-MM-DDTHH:MM:SS.mmmZ` in UTC, always three fraction digits (microseconds truncated):
    /// the one timestamp format of the trading API's responses.
    public var rfc3339Milliseconds: String {
        let millis = floorDivide(microsecondsSinceEpoch, 1000)
        let whole = TelemetryTimestamp(microsecondsSinceEpoch: floorDivide(millis, 1000) * Self.microsecondsPerSecond)
        return String(whole.rfc3339.dropLast()) + "." + pad(millis - floorDivide(millis, 1000) * 1000, 3) + "Z"
    }

    private static func parse(_ s: ArraySlice<UInt8>) -> Int64? {
        let b = Array(s)
        guard b.count >= 20 else { return nil }
        func digits(_ start: Int, _ count: Int) -> Int64? {
            guard start + count <= b.count else { return nil }
            var value: Int64 = 0
            for i in start..<(start + count) {
                let c = b[i]
                guard c >= 0x30, c <= 0x39 else { return nil }
                value = value * 10 + Int64(c - 0x30)
            }
            return value
        }
        guard let year = digits(0, 4), b[4] == UInt8(ascii: "-"),
              let month = digits(5, 2), b[7] == UInt8(ascii: "-"),
              let day = digits(8, 2),
              b[10] == UInt8(ascii: "T") || b[10] == UInt8(ascii: "t") || b[10] == UInt8(ascii: " "),
              let hour = digits(11, 2), b[13] == UInt8(ascii: ":"),
              let minute = digits(14, 2), b[16] == UInt8(ascii: ":"),
              let second = digits(17, 2)
        else { return nil }
        guard (1...12).contains(month), day >= 1, day <= daysInMonth(year: year, month: month),
              hour <= 23, minute <= 59, second <= 60
        else { return nil }

        var index = 19
        var fractionMicros: Int64 = 0
        if index < b.count, b[index] == UInt8(ascii: ".") {
            index += 1
            var count = 0
            while index < b.count, b[index] >= 0x30, b[index] <= 0x39 {
                if count < 6 { fractionMicros = fractionMicros * 10 + Int64(b[index] - 0x30) }
                count += 1
                index += 1
            }
            guard (1...9).contains(count) else { return nil }
            if count < 6 { for _ in count..<6 { fractionMicros *= 10 } }
        }
        guard index < b.count else { return nil }
        var offsetSeconds: Int64 = 0
        switch b[index] {
        case UInt8(ascii: "Z"), UInt8(ascii: "z"):
            index += 1
        case UInt8(ascii: "+"), UInt8(ascii: "-"):
            let sign: Int64 = b[index] == UInt8(ascii: "-") ? -1 : 1
            guard let offsetHours = digits(index + 1, 2), index + 3 < b.count, b[index + 3] == UInt8(ascii: ":"),
                  let offsetMinutes = digits(index + 4, 2), offsetHours <= 23, offsetMinutes <= 59
            else { return nil }
            offsetSeconds = sign * (offsetHours * 3600 + offsetMinutes * 60)
            index += 6
        default:
            return nil
        }
        guard index == b.count else { return nil }

        // A leap second (:60) is read as the first instant of the next minute, as PostgreSQL does.
        let days = CivilDate.days(year: year, month: month, day: day)
        let seconds = days * 86_400 + hour * 3600 + minute * 60 + second - offsetSeconds
        return seconds * microsecondsPerSecond + fractionMicros
    }

    static func isLeapYear(_ year: Int64) -> Bool {
        (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
    }

    static func daysInMonth(year: Int64, month: Int64) -> Int64 {
        switch month {
        case 2: return isLeapYear(year) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }
}

/// Division rounding towards negative infinity (Swift's `/` truncates towards zero).
func floorDivide(_ a: Int64, _ b: Int64) -> Int64 { CivilDate.floorDivide(a, b) }

private func pad(_ value: Int64, _ width: Int) -> String {
    let text = String(value)
    return text.count >= width ? text : String(repeating: "0", count: width - text.count) + text
}

extension TelemetryTimestamp {
    /// The current wall-clock time.
    public static var now: TelemetryTimestamp {
        TelemetryTimestamp(microsecondsSinceEpoch: Int64((Date().timeIntervalSince1970 * 1_000_000).rounded()))
    }
}
