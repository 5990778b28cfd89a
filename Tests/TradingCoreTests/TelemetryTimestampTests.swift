import Foundation
import Testing
@testable import TradingCore

struct TelemetryTimestampTests {
    @Test(arguments: [
        ("1970-01-01T00:00:00Z", Int64(0)),
        ("2026-11-23T10:15:30Z", Int64(1_795_428_930_000_000)),
        ("2026-11-23T10:15:30.25Z", Int64(1_795_428_930_250_000)),
        ("2026-11-23t10:15:30.123456789z", Int64(1_795_428_930_123_456)),
        ("2026-11-23 11:15:30+01:00", Int64(1_795_428_930_000_000)),
        ("2026-11-23T04:45:30-05:30", Int64(1_795_428_930_000_000)),
        ("1969-12-31T23:59:59.5Z", Int64(-500_000)),
        ("2024-02-29T00:00:00Z", Int64(1_709_164_800_000_000)),
        ("2016-12-31T23:59:60Z", Int64(1_483_228_800_000_000)),
    ])
    func parsesRFC3339(text: String, micros: Int64) {
        #expect(TelemetryTimestamp(rfc3339: text)?.microsecondsSinceEpoch == micros)
    }

    @Test(arguments: [
        "", "2026-11-23", "2026-11-23T10:15:30", "2026-11-23T10:15Z", "2026-13-01T00:00:00Z",
        "2026-02-29T00:00:00Z", "2026-04-31T00:00:00Z", "2026-11-23T24:00:00Z", "2026-11-23T10:60:00Z",
        "2026-11-23T10:15:30.Z", "2026-11-23T10:15:30.1234567890Z", "2026-11-23T10:15:30+1:00",
        "2026-11-23T10:15:30+01:00x", "2026-11-23X10:15:30Z", "２026-11-23T10:15:30Z", "2026-11-23T10:15:30+24:00",
    ])
    func rejectsNonRFC3339(text: String) {
        #expect(TelemetryTimestamp(rfc3339: text) == nil)
    }

    /// Formatting agrees with Foundation's ISO 8601 formatter, and parsing inverts formatting.
    @Test func formatsLikeFoundationAndRoundTrips() throws {
        var generator = SystemRandomNumberGenerator()
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        for _ in 0..<2000 {
            let seconds = Int64.random(in: -2_000_000_000...8_000_000_000, using: &generator)
            let micros = Int64.random(in: 0..<1_000_000, using: &generator)
            let time = TelemetryTimestamp(microsecondsSinceEpoch: seconds * 1_000_000 + micros)
            let expectedPrefix = formatter.string(from: Date(timeIntervalSince1970: TimeInterval(seconds))).dropLast()
            #expect(time.rfc3339.hasPrefix(expectedPrefix))
            #expect(TelemetryTimestamp(rfc3339: time.rfc3339) == time)
        }
    }

    @Test func fractionIsTrimmed() {
        #expect(TelemetryTimestamp(microsecondsSinceEpoch: 1_500_000).rfc3339 == "1970-01-01T00:00:01.5Z")
        #expect(TelemetryTimestamp(microsecondsSinceEpoch: 60_000_000).rfc3339 == "1970-01-01T00:01:00Z")
        #expect(TelemetryTimestamp(microsecondsSinceEpoch: -1).rfc3339 == "1969-12-31T23:59:59.999999Z")
    }
}
