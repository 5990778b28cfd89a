import CustomerData
import Foundation
import Testing

/// ISO 8601 dates and date-times, and their instants in a zone.
struct ISO8601ValueTests {
    private let bogota = TimeZone(identifier: "America/Bogota")!
    private let newYork = TimeZone(identifier: "America/New_York")!

    private func instant(_ text: String, zone: TimeZone? = nil) throws -> Date {
        try ZonedInstant.instant(try ISO8601Value.parse(text).get(), zone: zone ?? bogota).get()
    }

    /// Epoch seconds computed independently (by `date -u -d ... +%s`).
    @Test(arguments: [
        ("2024-03-15", 1_710_478_800.0),  // midnight in Bogotá (UTC-5)
        ("2024-03-15T14:30", 1_710_531_000.0),
        ("2024-03-15T14:30:00", 1_710_531_000.0),
        ("2024-03-15 14:30:00", 1_710_531_000.0),
        ("2024-03-15T19:30:00Z", 1_710_531_000.0),
        ("2024-03-15T19:30:00z", 1_710_531_000.0),
        ("2024-03-15T14:30:00-05:00", 1_710_531_000.0),
        ("2024-03-15T20:30:00+0100", 1_710_531_000.0),
        ("2024-03-15T21:30:00+02", 1_710_531_000.0),
        ("2024-03-15T14:30:00.25-05:00", 1_710_531_000.25),
        ("2024-03-15T14:30:00,5", 1_710_531_000.5),
        ("2024-02-29", 1_709_182_800.0),
    ])
    func instants(text: String, epoch: Double) throws {
        #expect(abs(try instant(text).timeIntervalSince1970 - epoch) < 1e-6)
    }

    @Test func microsecondsAreKept() throws {
        let date = try instant("2024-03-15T14:30:00.123456-05:00")
        #expect(abs(date.timeIntervalSince1970 - 1_710_531_000.123456) < 1e-7)
    }

    @Test(arguments: [
        ("15/03/2024", ISO8601Value.Problem.format), ("2024-3-15", .format), ("20240315", .format), ("2024-03-15T", .format),
        ("2024-03-15T14", .format), ("2024-03-15T14:30:", .format), ("2024-03-15T14:30:00.", .format),
        ("2024-03-15T14:30:00+5", .format), ("2024-03-15T14:30:00 UTC", .format), ("2024-03-15x", .format), ("", .format),
        ("2024-02-30", .nonexistentDate), ("2023-02-29", .nonexistentDate), ("2024-13-01", .nonexistentDate),
        ("2024-04-31T00:00", .nonexistentDate), ("2024-03-15T24:00", .nonexistentDate), ("2024-03-15T12:60", .nonexistentDate),
        ("2024-03-15T12:00:60", .nonexistentDate), ("2024-03-15T12:00:00+19:00", .nonexistentDate),
        ("2024-03-15T12:00:00.1234567", .tooManyFractionDigits),
    ])
    func refuses(text: String, problem: ISO8601Value.Problem) {
        #expect(ISO8601Value.parse(text) == .failure(problem))
    }

    /// New York's spring-forward hour (2024-03-10 02:00-03:00 does not exist) and fall-back
    /// hour (2024-11-03 01:00-02:00 happens twice: the earlier, EDT, instant is taken).
    @Test func daylightSavingChangesInAZoneThatHasThem() throws {
        let skipped = try ISO8601Value.parse("2024-03-10T02:30").get()
        #expect(ZonedInstant.instant(skipped, zone: newYork) == .failure(.skippedLocalTime))
        #expect(try instant("2024-03-10T03:30", zone: newYork).timeIntervalSince1970 == 1_710_055_800)  // 07:30Z
        #expect(try instant("2024-11-03T01:30", zone: newYork).timeIntervalSince1970 == 1_730_611_800)  // 05:30Z (EDT)
        #expect(try instant("2024-11-03T01:30-05:00", zone: newYork).timeIntervalSince1970 == 1_730_615_400)  // 06:30Z
    }

    @Test func formatsInTheZoneWithItsOffset() {
        let date = Date(timeIntervalSince1970: 1_710_531_000)
        #expect(ZonedInstant.format(date, in: bogota) == "2024-03-15T14:30:00-05:00")
        #expect(ZonedInstant.format(date, in: TimeZone(identifier: "UTC")!) == "2024-03-15T19:30:00Z")
        #expect(ZonedInstant.format(date, in: TimeZone(identifier: "Asia/Kolkata")!) == "2024-03-16T01:00:00+05:30")
        #expect(ZonedInstant.format(Date(timeIntervalSince1970: 1_710_531_000.1234), in: bogota) == "2024-03-15T14:30:00.1234-05:00")
        #expect(ZonedInstant.format(Date(timeIntervalSince1970: -0.5), in: TimeZone(identifier: "UTC")!) == "1969-12-31T23:59:59.5Z")
    }

    @Test func formatAndParseRoundTrip() throws {
        for epoch in [0.0, 1_710_531_000.000001, 1_700_000_000.5, -1_000_000_000.25] {
            let text = ZonedInstant.format(Date(timeIntervalSince1970: epoch), in: newYork)
            #expect(abs(try instant(text).timeIntervalSince1970 - epoch) < 1e-6, "\(text)")
        }
    }
}
