import Testing
@testable import TradingCore

/// The ISO 8601 forms `from`/`to` accept, against the RFC 3339 instant each one means.
@Suite struct QueryTimeTests {
    static func instant(_ rfc3339: String) -> TelemetryTimestamp { TelemetryTimestamp(rfc3339: rfc3339)! }

    @Test(arguments: [
        ("2026-12-02T18:00:00Z", "2026-12-02T18:00:00Z"),
        ("2026-12-02T18:00:00.250Z", "2026-12-02T18:00:00.25Z"),
        ("2026-12-02", "2026-12-02T00:00:00Z"),                      // a date alone: midnight UTC
        ("2026-12-02T18:00Z", "2026-12-02T18:00:00Z"),               // no seconds
        ("2026-12-02t18:00z", "2026-12-02T18:00:00Z"),
        ("2026-12-02T19:00+0100", "2026-12-02T18:00:00Z"),           // basic offset
        ("2026-12-02T19:00:00+01:00", "2026-12-02T18:00:00Z"),
        ("2026-12-02T19:00:00+01", "2026-12-02T18:00:00Z"),          // hour-only offset
        ("2026-12-02T16:30-0130", "2026-12-02T18:00:00Z"),
        ("2026-12-02T19:00:00 01:00", "2026-12-02T18:00:00Z"),       // an unencoded '+' became a space
        ("2026-12-02 18:00:00Z", "2026-12-02T18:00:00Z"),
        ("0001-01-01", "0001-01-01T00:00:00Z"),
    ])
    func acceptedForms(text: String, expected: String) {
        #expect(QueryTime.parse(text) == .success(Self.instant(expected)), "\(text)")
    }

    @Test(arguments: [
        ("2026-12-02T18:00:00", QueryTime.Failure.missingZone),
        ("2026-12-02T18:00", .missingZone),
        ("0000-01-01T00:00:00Z", .yearOutOfRange),
        ("0000-01-01", .yearOutOfRange),
        ("2026-13-02", .unreadable),
        ("2026-02-30", .unreadable),
        ("2026-12-02T25:00Z", .unreadable),
        ("2026-12-02T18Z", .unreadable),
        ("2026-12-02T18:00+1", .unreadable),
        ("2026-12-02T18:00+01:0", .unreadable),
        ("20261202T180000Z", .unreadable),
        ("yesterday", .unreadable),
        ("1700000000000", .unreadable),
        ("", .unreadable),
    ])
    func refusedForms(text: String, failure: QueryTime.Failure) {
        #expect(QueryTime.parse(text) == .failure(failure), "\(text)")
    }

    @Test func theWindowRefusesYearZeroAndABucketBeforeYearOne() {
        let now = Self.instant("2026-12-02T18:00:00Z")
        guard case .failure(let zero) = TelemetryQueryWindow.parse(from: "0000-01-01T00:00:00Z", to: "0000-01-01T00:05:00Z",
                                                                   interval: nil, now: now) else {
            Issue.record("year 0000 was accepted"); return
        }
        #expect(zero.field == "to" || zero.field == "from")
        #expect(zero.message.contains("years 0001 to 9999"))
        // `from` defaults to a day before `to`, which is then before year 1.
        guard case .failure(let early) = TelemetryQueryWindow.parse(from: nil, to: "0001-01-01T12:00:00Z", interval: nil, now: now) else {
            Issue.record("a window starting in year 0 was accepted"); return
        }
        #expect(early.field == "from")
        guard case .success = TelemetryQueryWindow.parse(from: "0001-01-01", to: "0001-01-01T01:00Z", interval: "60", now: now) else {
            Issue.record("year 1 was refused"); return
        }
    }

    @Test func aRefusalNamesTheParameterAndTheForms() {
        guard case .failure(let error) = TelemetryQueryWindow.parse(from: "02/12/2026", to: nil, interval: nil,
                                                                    now: Self.instant("2026-12-02T18:00:00Z")) else {
            Issue.record("accepted"); return
        }
        #expect(error.field == "from")
        #expect(error.message.hasPrefix("from must be an ISO 8601 date-time with a zone (2026-12-02T18:00:00Z, 2026-12-02T18:00Z"))
        #expect(error.message.hasSuffix("got \"02/12/2026\""))
    }

    @Test(arguments: [
        ("2026-01-15T11:00:00Z", "2026-01-15T11:00:00.000Z"),
        ("2026-01-15T11:00:00.1256Z", "2026-01-15T11:00:00.125Z"),
        ("1969-12-31T23:59:59.9999Z", "1969-12-31T23:59:59.999Z"),
        ("0001-01-01T00:00:00.001Z", "0001-01-01T00:00:00.001Z"),
    ])
    func responsesWriteMilliseconds(rfc3339: String, expected: String) {
        #expect(Self.instant(rfc3339).rfc3339Milliseconds == expected)
    }
}
