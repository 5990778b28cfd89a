import Foundation
import Testing
@testable import PurchaseCore

struct LocalDateTimeTests {
    @Test func parsesTheSeedFormat() throws {
        let value = try #require(LocalDateTime(parsing: "2025-11-11 00:15"))
        #expect([value.year, value.month, value.day, value.hour, value.minute] == [Int]([2025, 11, 11, 0, 15]))
        #expect(value.description == "2025-11-11 00:15")
        #expect(LocalDateTime(parsing: "2024-02-29 23:59") != nil)
    }

    @Test(arguments: [
        "", "2025-11-11", "2025-11-11 00:15:00", "2025-11-11T00:15", "2025-11-11 0:15", "2025-11-11 24:00", "2025-11-11 23:60",
        "2025-13-01 00:00", "2025-00-01 00:00", "2025-02-29 00:00", "2025-04-31 00:00", "2025-11-11 00:15Z", " 2025-11-11 00:15",
        "2025/11/11 00:15", "２025-11-11 00:15", "2025-11-11 00:1５", "+025-11-11 00:15", "2025-11-11  0:15",
    ])
    func refusesAnythingElse(text: String) {
        #expect(LocalDateTime(parsing: text) == nil)
    }

    /// The civil-date arithmetic agrees with Foundation's Gregorian calendar in UTC.
    @Test func civilArithmeticMatchesFoundation() throws {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = try #require(TimeZone(identifier: "UTC"))
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2000 {
            let minutes = Int64.random(in: 0...(230 * 365 * 1440), using: &generator)
            let date = Date(timeIntervalSince1970: TimeInterval(minutes * 60))
            let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: date)
            let local = try #require(LocalDateTime(year: parts.year!, month: parts.month!, day: parts.day!, hour: parts.hour!,
                                                   minute: parts.minute!))
            #expect(local.secondsAsIfUTC == minutes * 60)
            #expect(LocalDateTime(secondsAsIfUTC: minutes * 60) == local)
        }
    }
}
