/// The validated `from`/`to`/`interval` of a telemetry or meter query.
///
/// Every bucket that overlaps `[from, to)` is returned whole: the rows read are the 1-minute
/// aggregates in `[firstBucketStart, endBoundary)`. So a bucket's value never depends on where
/// the caller's range happens to start, and `from == to` is an empty (valid) range.
public struct TelemetryQueryWindow: Equatable, Sendable {
    public let from: TelemetryTimestamp
    public let to: TelemetryTimestamp
    public let interval: BucketInterval

    public var firstBucketStart: TelemetryTimestamp { interval.bucketStart(containing: from) }
    public var endBoundary: TelemetryTimestamp { from == to ? firstBucketStart : interval.boundary(atOrAfter: to) }
    public var bucketCount: Int { from == to ? 0 : interval.bucketCount(from: from, to: to) }

    public static let defaultSpanSeconds: Int64 = 24 * 3600
    public static let defaultMaximumBuckets = 10_080
    /// 0001-01-01T00:00:00Z: PostgreSQL has no year 0.
    public static let earliestBucketStart = TelemetryTimestamp(secondsSinceEpoch: -62_135_596_800)

    public init(from: TelemetryTimestamp, to: TelemetryTimestamp, interval: BucketInterval) {
        self.from = from
        self.to = to
        self.interval = interval
    }

    /// Reads the query parameters as given in the URL (nil when absent). `to` defaults to `now`,
    /// `from` to 24 hours before `to`, `interval` to 5.
    public static func parse(
        from fromText: String?,
        to toText: String?,
        interval intervalText: String?,
        now: TelemetryTimestamp,
        maximumBuckets: Int = defaultMaximumBuckets
    ) -> Result<TelemetryQueryWindow, TelemetryQueryError> {
        var interval = BucketInterval.standard
        if let intervalText {
            guard let minutes = Int(intervalText), let parsed = BucketInterval(minutes: minutes) else {
                return .failure(TelemetryQueryError(
                    field: "interval",
                    message: "interval must be a whole number of minutes from 1 to 60, got \"\(intervalText.prefix(32))\""
                ))
            }
            interval = parsed
        }
        var to = now
        if let toText {
            switch QueryTime.parse(toText) {
            case .success(let parsed): to = parsed
            case .failure(let failure): return .failure(timeError("to", toText, failure))
            }
        }
        var from = to.adding(microseconds: -defaultSpanSeconds * TelemetryTimestamp.microsecondsPerSecond)
        if let fromText {
            switch QueryTime.parse(fromText) {
            case .success(let parsed): from = parsed
            case .failure(let failure): return .failure(timeError("from", fromText, failure))
            }
        }
        guard from <= to else {
            return .failure(TelemetryQueryError(field: "from", message: "from (\(from.rfc3339)) is after to (\(to.rfc3339))"))
        }
        let window = TelemetryQueryWindow(from: from, to: to, interval: interval)
        // The first bucket may start before `from` (and `from` defaults to a day before `to`).
        guard window.firstBucketStart >= earliestBucketStart else {
            return .failure(TelemetryQueryError(
                field: "from", message: "from must be in the years 0001 to 9999, its first bucket included (from is \(from.rfc3339))"))
        }
        guard window.bucketCount <= maximumBuckets else {
            return .failure(TelemetryQueryError(
                field: "interval",
                message: "the range holds \(window.bucketCount) buckets of \(interval.minutes) minutes; at most \(maximumBuckets) are allowed, so narrow the range or widen the interval"
            ))
        }
        return .success(window)
    }

    /// Why `text` is not a time this API reads, naming the parameter and the forms it takes.
    static func timeError(_ field: String, _ text: String, _ failure: QueryTime.Failure) -> TelemetryQueryError {
        let got = "got \"\(text.prefix(40))\""
        let message = switch failure {
        case .missingZone:
            "\(field) has no zone: add Z or an offset such as +01:00 or +0100 (\(got))"
        case .yearOutOfRange:
            "\(field) must be in the years 0001 to 9999 (\(got))"
        case .unreadable:
            "\(field) must be an ISO 8601 date-time with a zone (2026-12-02T18:00:00Z, 2026-12-02T18:00Z, "
                + "2026-12-02T19:00:00+01:00 or +0100) or a date (2026-12-02, midnight UTC); \(got)"
        }
        return TelemetryQueryError(field: field, message: message)
    }
}

/// A query parameter that cannot be served: 400 with the trading error envelope.
public struct TelemetryQueryError: Error, Equatable, Sendable {
    public let field: String
    public let message: String
}
