/// A query bucket of 1–60 whole minutes, aligned on UTC: bucket starts are the multiples of the
/// interval counted from 1970-01-01T00:00:00Z, the same as PostgreSQL's
/// `date_bin(interval, t, '1970-01-01T00:00:00Z')`. For intervals that divide 60 (1, 5, 15, 30,
/// 60…) that means the familiar wall-clock boundaries (`:00`, `:15`…); for others, such as 7
/// minutes, the boundaries continue evenly across hours and days (00:00, 00:07, … 23:55, 00:02).
public struct BucketInterval: Hashable, Sendable, CustomStringConvertible {
    public static let allowedMinutes: ClosedRange<Int> = 1...60
    public static let standard = BucketInterval(checkedMinutes: 5)

    public let minutes: Int

    public init?(minutes: Int) {
        guard Self.allowedMinutes.contains(minutes) else { return nil }
        self.minutes = minutes
    }

    private init(checkedMinutes: Int) {
        self.minutes = checkedMinutes
    }

    public var microseconds: Int64 { Int64(minutes) * TelemetryTimestamp.microsecondsPerMinute }

    /// As in the meters response's `interval` field: `"5m"`.
    public var label: String { "\(minutes)m" }

    public var description: String { label }

    /// The start of the bucket holding `time`.
    public func bucketStart(containing time: TelemetryTimestamp) -> TelemetryTimestamp {
        let step = microseconds
        return TelemetryTimestamp(microsecondsSinceEpoch: floorDivide(time.microsecondsSinceEpoch, step) * step)
    }

    /// The first bucket boundary at or after `time`.
    public func boundary(atOrAfter time: TelemetryTimestamp) -> TelemetryTimestamp {
        let start = bucketStart(containing: time)
        return start == time ? start : start.adding(microseconds: microseconds)
    }

    /// How many buckets start in `[bucketStart(containing: from), to)`.
    public func bucketCount(from: TelemetryTimestamp, to: TelemetryTimestamp) -> Int {
        let first = bucketStart(containing: from)
        let end = boundary(atOrAfter: to)
        guard end > first else { return 0 }
        return Int((end.microsecondsSinceEpoch - first.microsecondsSinceEpoch) / microseconds)
    }
}

/// The 1-minute slot (aggregate row) a sample belongs to.
public enum MinuteBucket {
    public static func start(of time: TelemetryTimestamp) -> TelemetryTimestamp {
        let step = TelemetryTimestamp.microsecondsPerMinute
        return TelemetryTimestamp(microsecondsSinceEpoch: floorDivide(time.microsecondsSinceEpoch, step) * step)
    }
}
