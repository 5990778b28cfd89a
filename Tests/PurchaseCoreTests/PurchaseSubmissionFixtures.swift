import Foundation
@testable import PurchaseCore

/// Schedules built independently of the code under test: instants stepped in UTC, labels printed
/// by Foundation's `DateFormatter` in the zone.
enum PurchaseSubmissionFixtures {
    static let madrid = MarketTimeZone(identifier: "Europe/Madrid")!

    static func rules(labelMarks: RetailerRules.LabelMarks = .periodStart, allowsSales: Bool = false,
                      interval: Int = 15, maximumMW: Int64 = 5_000) -> RetailerRules {
        RetailerRules(retailerID: "123", timeZone: madrid, intervalMinutes: interval, labelMarks: labelMarks,
                      allowsSales: allowsSales, maximumQuantity: PurchaseQuantity(kilowatts: maximumMW * 1000))
    }

    /// Local midnight of `day` (`YYYY-MM-DD`) in `zone`, seconds since the epoch.
    static func localMidnight(_ day: String, zone: String = "Europe/Madrid") -> Int64 {
        let parts = day.split(separator: "-").map { Int($0)! }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: zone)!
        let date = calendar.date(from: DateComponents(year: parts[0], month: parts[1], day: parts[2]))!
        return Int64(date.timeIntervalSince1970)
    }

    /// Period starts every `interval` minutes from `start` up to `end` (exclusive), with the label
    /// each would carry (the start's or the end's reading).
    static func periods(from start: Int64, to end: Int64, interval: Int64 = 900, labelMarks: RetailerRules.LabelMarks,
                        zone: String = "Europe/Madrid") -> [(label: String, start: Int64)] {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: zone)!
        formatter.dateFormat = "yyyy-MM-dd HH:mm"
        return stride(from: start, to: end, by: Int(interval)).map { periodStart in
            let labelled = labelMarks == .periodStart ? periodStart : periodStart + interval
            return (formatter.string(from: Date(timeIntervalSince1970: TimeInterval(labelled))), periodStart)
        }
    }

    /// A body with one item per label, quantities 0.001, 0.002... MW.
    static func body(_ labels: [String]) -> [UInt8] {
        let items = labels.enumerated().map { index, label in
            "{\"datetime\": \"\(label)\", \"purchase\": \(PurchaseQuantity(kilowatts: Int64(index + 1)).text)}"
        }
        return Array("{\"purchase\": [\(items.joined(separator: ","))]}".utf8)
    }

    static func body(_ json: String) -> [UInt8] { Array(json.utf8) }
}
