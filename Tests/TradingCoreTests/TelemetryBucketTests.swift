import Testing
@testable import TradingCore

struct TelemetryBucketTests {
    private func at(_ text: String) -> TelemetryTimestamp { TelemetryTimestamp(rfc3339: text)! }

    @Test func intervalMustBeOneToSixtyMinutes() {
        #expect(BucketInterval(minutes: 0) == nil)
        #expect(BucketInterval(minutes: 61) == nil)
        #expect(BucketInterval(minutes: 1)?.minutes == 1)
        #expect(BucketInterval(minutes: 60)?.minutes == 60)
    }

    /// Independent check: a bucket start is the largest multiple of the interval (in minutes since
    /// the epoch) not after the time, computed here with a linear walk.
    @Test(arguments: [1, 5, 7, 13, 15, 59, 60])
    func bucketStartIsEpochAligned(minutes: Int) {
        let interval = BucketInterval(minutes: minutes)!
        for _ in 0..<300 {
            let time = TelemetryTimestamp(microsecondsSinceEpoch: Int64.random(in: -3_000_000_000_000_000...3_000_000_000_000_000))
            let start = interval.bucketStart(containing: time)
            #expect(start <= time)
            #expect(time < start.adding(minutes: Int64(minutes)))
            #expect(start.microsecondsSinceEpoch % (Int64(minutes) * 60_000_000) == 0)
        }
    }

    @Test func sevenMinuteBucketsRunOnAcrossMidnight() {
        let seven = BucketInterval(minutes: 7)!
        // 2026-11-23T00:00Z is minute 29_923_200 since the epoch = 7 * 4_274_742 + 6.
        #expect(seven.bucketStart(containing: at("2026-11-23T00:00:00Z")) == at("2026-11-22T23:54:00Z"))
        #expect(seven.bucketStart(containing: at("2026-11-23T00:01:00Z")) == at("2026-11-23T00:01:00Z"))
        #expect(BucketInterval(minutes: 15)!.bucketStart(containing: at("2026-11-23T10:29:59.999999Z")) == at("2026-11-23T10:15:00Z"))
        #expect(BucketInterval(minutes: 60)!.bucketStart(containing: at("2026-11-23T10:00:00Z")) == at("2026-11-23T10:00:00Z"))
    }

    @Test func bucketCountCoversPartialBucketsAtBothEnds() {
        let five = BucketInterval(minutes: 5)!
        #expect(five.bucketCount(from: at("2026-11-23T10:00:00Z"), to: at("2026-11-23T11:00:00Z")) == 12)
        #expect(five.bucketCount(from: at("2026-11-23T10:02:00Z"), to: at("2026-11-23T11:00:01Z")) == 13)
        #expect(five.bucketCount(from: at("2026-11-23T10:02:00Z"), to: at("2026-11-23T10:03:00Z")) == 1)
    }

    @Test func queryDefaultsToLastDayAtFiveMinutes() throws {
        let now = at("2026-11-23T10:02:00Z")
        let window = try TelemetryQueryWindow.parse(from: nil, to: nil, interval: nil, now: now).get()
        #expect(window.to == now)
        #expect(window.from == at("2026-11-22T10:02:00Z"))
        #expect(window.interval.minutes == 5)
        #expect(window.firstBucketStart == at("2026-11-22T10:00:00Z"))
        #expect(window.endBoundary == at("2026-11-23T10:05:00Z"))
        #expect(window.bucketCount == 289)
    }

    @Test(arguments: [
        ("0", "interval"), ("61", "interval"), ("5.0", "interval"), ("abc", "interval"), ("", "interval"),
    ])
    func rejectsBadInterval(text: String, field: String) {
        let result = TelemetryQueryWindow.parse(from: nil, to: nil, interval: text, now: at("2026-11-23T10:00:00Z"))
        #expect(throws: TelemetryQueryError.self) { try result.get() }
        if case .failure(let error) = result { #expect(error.field == field) }
    }

    @Test func rejectsFromAfterToAndBadTimes() {
        let now = at("2026-11-23T10:00:00Z")
        let reversed = TelemetryQueryWindow.parse(from: "2026-11-23T10:00:01Z", to: "2026-11-23T10:00:00Z", interval: "1", now: now)
        #expect(throws: TelemetryQueryError.self) { try reversed.get() }
        #expect(throws: TelemetryQueryError.self) { try TelemetryQueryWindow.parse(from: "yesterday", to: nil, interval: nil, now: now).get() }
        #expect(throws: TelemetryQueryError.self) { try TelemetryQueryWindow.parse(from: nil, to: "2026-11-23T10:00", interval: nil, now: now).get() }  // no zone
    }

    @Test func emptyRangeIsValidAndHasNoBuckets() throws {
        let window = try TelemetryQueryWindow.parse(from: "2026-11-23T10:00:00Z", to: "2026-11-23T10:00:00Z", interval: "1", now: at("2026-11-24T00:00:00Z")).get()
        #expect(window.bucketCount == 0)
        #expect(window.firstBucketStart == window.endBoundary)
    }

    @Test func bucketCapIsEnforcedExactly() throws {
        let now = at("2026-11-23T00:00:00Z")
        let exactly = TelemetryQueryWindow.parse(from: "2026-11-22T00:00:00Z", to: "2026-11-23T00:00:00Z", interval: "1", now: now, maximumBuckets: 1440)
        #expect(try exactly.get().bucketCount == 1440)
        let over = TelemetryQueryWindow.parse(from: "2026-11-22T00:00:00Z", to: "2026-11-23T00:00:01Z", interval: "1", now: now, maximumBuckets: 1440)
        #expect(throws: TelemetryQueryError.self) { try over.get() }
    }

    @Test func plusSignThatArrivedAsSpaceIsAccepted() throws {
        let window = try TelemetryQueryWindow.parse(from: "2026-11-23T11:00:00 01:00", to: "2026-11-23T10:30:00Z", interval: nil, now: at("2026-11-24T00:00:00Z")).get()
        #expect(window.from == at("2026-11-23T10:00:00Z"))
    }
}
