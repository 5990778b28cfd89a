import Timekeeping

/// A wall-clock reading `YYYY-MM-DD HH:MM` with no time zone, as the seed's rows carry it.
public struct LocalDateTime: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let year: Int
    public let month: Int
    public let day: Int
    public let hour: Int
    public let minute: Int

    /// Years accepted: tz data before 1970 holds local mean times with odd offsets, and schedules
    /// beyond 2199 are surely typos.
    public static let supportedYears = 1970...2199

    public init?(year: Int, month: Int, day: Int, hour: Int, minute: Int) {
        guard (1...12).contains(month), (1...Self.daysInMonth(year: year, month: month)).contains(day),
              (0...23).contains(hour), (0...59).contains(minute), (0...9999).contains(year) else { return nil }
        self.year = year
        self.month = month
        self.day = day
        self.hour = hour
        self.minute = minute
    }

    /// Parses exactly `YYYY-MM-DD HH:MM` (16 characters, ASCII digits, a real calendar date, hours
    /// 00-23). Nothing else is accepted: no seconds, no `T`, no zone, no `24:00`.
    public init?(parsing text: String) {
        var text = text  // withUTF8 may make the storage contiguous
        guard let value = text.withUTF8({ Self.parse($0) }) else { return nil }
        self = value
    }

    private static func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> LocalDateTime? {
        guard bytes.count == 16, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"),
              bytes[10] == UInt8(ascii: " "), bytes[13] == UInt8(ascii: ":") else { return nil }
        func number(_ range: Range<Int>) -> Int? {
            var value = 0
            for position in range {
                let byte = bytes[position]
                guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
                value = value * 10 + Int(byte - UInt8(ascii: "0"))
            }
            return value
        }
        guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10),
              let hour = number(11..<13), let minute = number(14..<16) else { return nil }
        return LocalDateTime(year: year, month: month, day: day, hour: hour, minute: minute)
    }

    /// Seconds from 1970-01-01 00:00 to this reading, as if it were UTC (no zone applied).
    public var secondsAsIfUTC: Int64 {
        CivilDate.days(year: Int64(year), month: Int64(month), day: Int64(day)) * 86_400 + Int64(hour * 3600 + minute * 60)
    }

    /// The reading `secondsAsIfUTC` seconds after 1970-01-01 00:00 (the inverse of `secondsAsIfUTC`).
    public init(secondsAsIfUTC seconds: Int64) {
        let days = CivilDate.floorDivide(seconds, 86_400)
        let remainder = Int(seconds - days * 86_400)
        let (year, month, day) = CivilDate.date(days: days)
        self.year = Int(year)
        self.month = Int(month)
        self.day = Int(day)
        self.hour = remainder / 3600
        self.minute = remainder / 60 % 60
    }

    /// `YYYY-MM-DD HH:MM`.
    public var description: String {
        func pad(_ value: Int, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2)) \(pad(hour, 2)):\(pad(minute, 2))"
    }

    public static func < (lhs: LocalDateTime, rhs: LocalDateTime) -> Bool {
        lhs.secondsAsIfUTC < rhs.secondsAsIfUTC
    }

    static func isLeapYear(_ year: Int) -> Bool { year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) }

    static func daysInMonth(year: Int, month: Int) -> Int {
        switch month {
        case 2: isLeapYear(year) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }
}
