import Foundation

/// Dates as the seed and PrepaidPlus write them: `YYYY-MM-DD HH:MM:SS`, local wall-clock time
/// without a zone (the zone is configuration: `Africa/Gaborone` for Botswana).
public struct VendDateFormat: Sendable, Equatable {
    public let timeZone: TimeZone

    public init(timeZone: TimeZone) { self.timeZone = timeZone }

    /// Botswana time (UTC+2, no daylight saving), PrepaidPlus' zone.
    public static let botswana = VendDateFormat(timeZone: TimeZone(identifier: "Africa/Gaborone") ?? TimeZone(secondsFromGMT: 7_200)!)

    public func string(from date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        func two(_ value: Int?) -> String { value.map { $0 < 10 ? "0\($0)" : "\($0)" } ?? "00" }
        let year = c.year.map { String(format: "%04d", $0) } ?? "0000"
        return "\(year)-\(two(c.month))-\(two(c.day)) \(two(c.hour)):\(two(c.minute)):\(two(c.second))"
    }
}
