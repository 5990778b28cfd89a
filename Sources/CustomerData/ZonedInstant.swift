import Foundation

/// Instants from ISO 8601 values and back, in a time zone (an IANA zone such as America/Bogota).
public enum ZonedInstant {
    public enum Problem: Error, Sendable, Equatable {
        /// A local time the zone's clocks skip (the spring-forward gap of a daylight-saving change).
        case skippedLocalTime
    }

    /// The instant `value` names: with its own offset when it has one, else as a wall-clock time
    /// in `zone` (a date alone is its midnight there). A wall-clock time the zone shows twice
    /// (the fall-back hour) is its earlier instant.
    public static func instant(_ value: ISO8601Value, zone: TimeZone) -> Result<Date, Problem> {
        let time = value.time ?? ISO8601Value.Time(hour: 0, minute: 0, second: 0, microsecond: 0)
        let components = DateComponents(year: value.year, month: value.month, day: value.day,
                                        hour: time.hour, minute: time.minute, second: time.second)
        let asUTC = utcCalendar.date(from: components)!.timeIntervalSince1970  // valid components always make a date
        let fraction = Double(time.microsecond) / 1_000_000
        if let offset = value.utcOffset {
            return .success(Date(timeIntervalSince1970: asUTC - Double(offset) + fraction))
        }
        guard let seconds = wallClock(asUTC, in: zone) else { return .failure(.skippedLocalTime) }
        return .success(Date(timeIntervalSince1970: seconds + fraction))
    }

    /// The earliest instant whose wall-clock time in `zone` is `localAsUTC` (seconds of the local
    /// time read as if it were UTC), or nil when the zone never shows that time.
    static func wallClock(_ localAsUTC: TimeInterval, in zone: TimeZone) -> TimeInterval? {
        // Every offset the zone uses within a day of that time; a candidate instant is right when
        // the zone's offset at that instant is the one it was made with.
        let offsets = Set([-86_400.0, 0, 86_400].map { zone.secondsFromGMT(for: Date(timeIntervalSince1970: localAsUTC + $0)) })
        return offsets.map { localAsUTC - Double($0) }
            .filter { zone.secondsFromGMT(for: Date(timeIntervalSince1970: $0)) == Int(localAsUTC - $0) }
            .min()
    }

    /// `date` as an ISO 8601 date-time with the zone's offset at that instant
    /// (`2024-03-15T14:30:00-05:00`; `Z` for UTC), to the microsecond, fraction only when not zero.
    public static func format(_ date: Date, in zone: TimeZone) -> String {
        var seconds = date.timeIntervalSince1970.rounded(.down)
        var fraction = Int(((date.timeIntervalSince1970 - seconds) * 1_000_000).rounded())
        if fraction == 1_000_000 {
            seconds += 1
            fraction = 0
        }
        let instant = Date(timeIntervalSince1970: seconds)
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: instant)
        var text = pad(parts.year!, 4) + "-" + pad(parts.month!, 2) + "-" + pad(parts.day!, 2) + "T"
            + pad(parts.hour!, 2) + ":" + pad(parts.minute!, 2) + ":" + pad(parts.second!, 2)
        if fraction != 0 {
            var digits = pad(fraction, 6)
            while digits.hasSuffix("0") { digits.removeLast() }
            text += "." + digits
        }
        let offset = zone.secondsFromGMT(for: instant)
        guard offset != 0 else { return text + "Z" }
        let minutes = abs(offset) / 60
        return text + (offset < 0 ? "-" : "+") + pad(minutes / 60, 2) + ":" + pad(minutes % 60, 2)
    }

    private static let utcCalendar: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar
    }()

    private static func pad(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}
