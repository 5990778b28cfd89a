import Foundation
import Testing
@testable import PurchaseCore

/// Rows in local time: DST days of Europe/Madrid, both label conventions, a leap year.
struct PurchaseSubmissionTimeTests {
    typealias F = PurchaseSubmissionFixtures

    @Test(arguments: [("2025-03-30", "2025-03-31", 92), ("2025-10-26", "2025-10-27", 100), ("2025-11-11", "2025-11-12", 96)],
          RetailerRules.LabelMarks.allCases)
    func daysOfMadrid(day: (String, String, Int), marks: RetailerRules.LabelMarks) throws {
        let (day, next, quarterHours) = day
        let periods = F.periods(from: F.localMidnight(day), to: F.localMidnight(next), labelMarks: marks)
        #expect(periods.count == quarterHours)
        let submission = try PurchaseSubmissionParser.parse(body: F.body(periods.map(\.label)),
                                                            rules: F.rules(labelMarks: marks), maximumRows: 40_000)
        #expect(submission.rows.map(\.periodStart) == periods.map(\.start))
        #expect(submission.rows.map(\.label.description) == periods.map(\.label))
        #expect(submission.rows.map(\.quantity.kilowatts) == Array(1...Int64(quarterHours)))
        let repeated = submission.rows.filter { $0.occurrence == 2 }.map(\.label.description)
        #expect(repeated == (quarterHours == 100 ? ["2025-10-26 02:00", "2025-10-26 02:15", "2025-10-26 02:30", "2025-10-26 02:45"] : []))
    }

    @Test func secondOccurrenceIsTheLaterInstantWhateverTheOrder() throws {
        let body = F.body(["2025-10-26 02:15", "2025-10-26 01:00", "2025-10-26 02:15"])
        let rows = try PurchaseSubmissionParser.parse(body: body, rules: F.rules(), maximumRows: 10).rows
        #expect(rows[0].periodStart == 1_761_437_700)  // 00:15Z, CEST
        #expect(rows[2].periodStart == 1_761_441_300)  // 01:15Z, CET
        #expect(rows.map(\.occurrence) == [1, 1, 2])
    }

    @Test func leapYearOfQuarterHours() throws {
        let periods = F.periods(from: F.localMidnight("2024-01-01"), to: F.localMidnight("2025-01-01"), labelMarks: .periodStart)
        #expect(periods.count == 35_136)
        let submission = try PurchaseSubmissionParser.parse(body: F.body(periods.map(\.label)), rules: F.rules(), maximumRows: 35_136)
        #expect(submission.rows.count == 35_136)
        #expect(submission.rows.map(\.periodStart) == periods.map(\.start))
    }

    @Test func hourlyMarketInNewYork() throws {
        let zone = "America/New_York"
        var rules = F.rules(interval: 60)
        rules.timeZone = try #require(MarketTimeZone(identifier: zone))
        let periods = F.periods(from: F.localMidnight("2025-11-02", zone: zone), to: F.localMidnight("2025-11-03", zone: zone),
                                interval: 3600, labelMarks: .periodEnd, zone: zone)
        #expect(periods.count == 25)
        rules.labelMarks = .periodEnd
        let rows = try PurchaseSubmissionParser.parse(body: F.body(periods.map(\.label)), rules: rules, maximumRows: 100).rows
        #expect(rows.map(\.periodStart) == periods.map(\.start))
    }
}
