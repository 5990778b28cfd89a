import Foundation
import Testing
@testable import PurchaseCore

struct MarketTimeZoneTests {
    private let madrid = MarketTimeZone(identifier: "Europe/Madrid")!

    private func local(_ text: String) -> LocalDateTime { LocalDateTime(parsing: text)! }

    @Test func acceptsIANANamesOnly() {
        #expect(MarketTimeZone(identifier: "Europe/Madrid") != nil)
        #expect(MarketTimeZone(identifier: "UTC") != nil)
        #expect(MarketTimeZone(identifier: "europe/madrid") == nil)
        #expect(MarketTimeZone(identifier: "Mars/Olympus") == nil)
        #expect(MarketTimeZone(identifier: "") == nil)
    }

    @Test func springForwardGapHasNoInstant() {
        // 2025-03-30: 02:00 CET becomes 03:00 CEST at 01:00Z.
        #expect(madrid.resolve(local("2025-03-30 01:45")) == .unique(1_743_295_500))  // 00:45Z
        #expect(madrid.resolve(local("2025-03-30 02:00")) == .skipped)
        #expect(madrid.resolve(local("2025-03-30 02:59")) == .skipped)
        #expect(madrid.resolve(local("2025-03-30 03:00")) == .unique(1_743_296_400))  // 01:00Z
    }

    @Test func fallBackRepeatHasTwoInstants() {
        // 2025-10-26: 03:00 CEST becomes 02:00 CET at 01:00Z.
        #expect(madrid.resolve(local("2025-10-26 01:45")) == .unique(1_761_435_900))  // 23:45Z the day before
        #expect(madrid.resolve(local("2025-10-26 02:00")) == .repeated(earlier: 1_761_436_800, later: 1_761_440_400))
        #expect(madrid.resolve(local("2025-10-26 02:45")) == .repeated(earlier: 1_761_439_500, later: 1_761_443_100))
        #expect(madrid.resolve(local("2025-10-26 03:00")) == .unique(1_761_444_000))
    }

    /// Every minute of two years maps back to its own reading, compared with Foundation's
    /// calendar arithmetic in the zone (an independent path through the tz data).
    @Test(arguments: ["Europe/Madrid", "America/New_York", "Australia/Lord_Howe", "Asia/Kathmandu", "UTC"])
    func instantsRoundTripThroughFoundation(identifier: String) throws {
        let zone = try #require(MarketTimeZone(identifier: identifier))
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = try #require(TimeZone(identifier: identifier))
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<3000 {
            let instant = Int64.random(in: 1_735_689_600...1_798_761_600, using: &generator) / 60 * 60
            let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute],
                                                from: Date(timeIntervalSince1970: TimeInterval(instant)))
            let reading = try #require(LocalDateTime(year: parts.year!, month: parts.month!, day: parts.day!, hour: parts.hour!,
                                                     minute: parts.minute!))
            #expect(zone.localDateTime(at: instant) == reading)
            switch zone.resolve(reading) {
            case .unique(let found): #expect(found == instant)
            case .repeated(let earlier, let later): #expect(earlier == instant || later == instant)
            case .skipped: Issue.record("\(reading) came from \(instant) but resolves to no instant")
            }
        }
    }
}
