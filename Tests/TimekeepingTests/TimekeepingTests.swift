import Dispatch
import Foundation
import Testing
import Timekeeping

struct CivilDateTests {
    /// Every 37th day from 1600 to 2400 against Foundation's Gregorian calendar (an independent
    /// implementation), both directions.
    @Test func agreesWithFoundationsGregorianCalendar() throws {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = try #require(TimeZone(identifier: "UTC"))
        for days in stride(from: Int64(-135_140), through: 157_000, by: 37) {
            let date = Date(timeIntervalSince1970: Double(days) * 86_400)
            let parts = calendar.dateComponents([.year, .month, .day], from: date)
            let civil = CivilDate.date(days: days)
            #expect(civil.year == Int64(parts.year!) && civil.month == Int64(parts.month!) && civil.day == Int64(parts.day!),
                    "day \(days)")
            #expect(CivilDate.days(year: civil.year, month: civil.month, day: civil.day) == days)
        }
    }

    @Test func knownDays() {
        #expect(CivilDate.date(days: 0) == (1970, 1, 1))
        #expect(CivilDate.date(days: -1) == (1969, 12, 31))
        #expect(CivilDate.days(year: 2000, month: 2, day: 29) == 11_016)
        #expect(CivilDate.days(year: 2024, month: 3, day: 1) - CivilDate.days(year: 2024, month: 2, day: 28) == 2)
    }

    @Test func floorDivisionRoundsDown() {
        #expect(CivilDate.floorDivide(7, 2) == 3)
        #expect(CivilDate.floorDivide(-7, 2) == -4)
        #expect(CivilDate.floorDivide(-8, 2) == -4)
        #expect(CivilDate.floorDivide(7, -2) == -4)
    }
}

struct DurationConversionTests {
    @Test func unitsAndClamping() {
        #expect(Duration.milliseconds(1500).inSeconds == 1.5)
        #expect(Duration.microseconds(2_999).wholeMilliseconds == 2)
        #expect(Duration.seconds(-3).wholeMilliseconds == 0)
        #expect(Duration.nanoseconds(1_234).wholeNanoseconds == 1_234)
        #expect(Duration.seconds(-1).wholeNanoseconds == 0)
        #expect(Duration.seconds(Int64.max).wholeNanoseconds == Int.max)
        #expect(Duration.seconds(fractional: 0.25) == .milliseconds(250))
        #expect(Duration.seconds(2).dispatchInterval == .nanoseconds(2_000_000_000))
    }
}
