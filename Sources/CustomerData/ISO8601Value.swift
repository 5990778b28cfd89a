/// An ISO 8601 date or date-time as written, in the extended format: `2024-03-15`,
/// `2024-03-15T14:30`, `2024-03-15T14:30:05.25`, each optionally with `Z`, `±HH:MM`, `±HHMM` or
/// `±HH`. A space may stand for the `T` (RFC 3339 §5.6 allows it; Python's `str(datetime)` writes
/// it). Fractions of a second: at most 6 digits (PostgreSQL keeps microseconds).
public struct ISO8601Value: Sendable, Equatable {
    public var year: Int, month: Int, day: Int
    /// nil for a date alone.
    public var time: Time?
    /// Seconds east of UTC; nil when the value gave no offset (a local time, or a date).
    public var utcOffset: Int?

    public struct Time: Sendable, Equatable {
        public var hour: Int, minute: Int, second: Int
        public var microsecond: Int
    }

    public enum Problem: Error, Sendable, Equatable {
        /// Not in any of the accepted shapes.
        case format
        /// The shape is right but the day, hour, minute, second or offset is out of range.
        case nonexistentDate
        case tooManyFractionDigits
    }

    /// Parses `text`.
    public static func parse(_ text: String) -> Result<ISO8601Value, Problem> {
        var scanner = Scanner(Array(text.utf8))
        guard let year = scanner.digits(4), scanner.take("-"), let month = scanner.digits(2), scanner.take("-"),
              let day = scanner.digits(2)
        else { return .failure(.format) }
        var value = ISO8601Value(year: year, month: month, day: day, time: nil, utcOffset: nil)
        guard (1...12).contains(month), (1...daysIn(month: month, year: year)).contains(day), year >= 1 else {
            return scanner.atEnd || scanner.peekIsTimeSeparator ? .failure(.nonexistentDate) : .failure(.format)
        }
        if scanner.atEnd { return .success(value) }
        guard scanner.take("T") || scanner.take("t") || scanner.take(" "),
              let hour = scanner.digits(2), scanner.take(":"), let minute = scanner.digits(2)
        else { return .failure(.format) }
        var time = Time(hour: hour, minute: minute, second: 0, microsecond: 0)
        if scanner.take(":") {
            guard let second = scanner.digits(2) else { return .failure(.format) }
            time.second = second
            if scanner.take(".") || scanner.take(",") {
                let fraction = scanner.digitRun()
                guard !fraction.isEmpty else { return .failure(.format) }
                guard fraction.count <= 6 else { return .failure(.tooManyFractionDigits) }
                time.microsecond = Int(fraction + String(repeating: "0", count: 6 - fraction.count))!
            }
        }
        guard hour < 24, minute < 60, time.second < 60 else { return .failure(.nonexistentDate) }
        value.time = time
        if scanner.take("Z") || scanner.take("z") {
            value.utcOffset = 0
        } else if let sign = scanner.sign() {
            guard let hours = scanner.digits(2) else { return .failure(.format) }
            var minutes = 0
            if scanner.take(":") {
                guard let parsed = scanner.digits(2) else { return .failure(.format) }
                minutes = parsed
            } else if let parsed = scanner.digits(2) {
                minutes = parsed
            }
            guard hours <= 18, minutes < 60 else { return .failure(.nonexistentDate) }
            value.utcOffset = sign * (hours * 3600 + minutes * 60)
        }
        return scanner.atEnd ? .success(value) : .failure(.format)
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    private struct Scanner {
        let bytes: [UInt8]
        var index = 0

        init(_ bytes: [UInt8]) { self.bytes = bytes }

        var atEnd: Bool { index == bytes.count }

        var peekIsTimeSeparator: Bool {
            index < bytes.count && [UInt8(ascii: "T"), UInt8(ascii: "t"), UInt8(ascii: " ")].contains(bytes[index])
        }

        mutating func take(_ character: Unicode.Scalar) -> Bool {
            guard index < bytes.count, bytes[index] == UInt8(character.value) else { return false }
            index += 1
            return true
        }

        mutating func digits(_ count: Int) -> Int? {
            guard index + count <= bytes.count else { return nil }
            var value = 0
            for byte in bytes[index..<(index + count)] {
                guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
                value = value * 10 + Int(byte - UInt8(ascii: "0"))
            }
            index += count
            return value
        }

        mutating func digitRun() -> String {
            let start = index
            while index < bytes.count, bytes[index] >= UInt8(ascii: "0"), bytes[index] <= UInt8(ascii: "9") { index += 1 }
            return String(decoding: bytes[start..<index], as: UTF8.self)
        }

        mutating func sign() -> Int? {
            if take("+") { return 1 }
            if take("-") { return -1 }
            return nil
        }
    }
}
