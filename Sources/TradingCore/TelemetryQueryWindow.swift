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
            guard let parsed = parseTime(toText) else {
                return .failure(TelemetryQueryError(field: "to", message: "to must be an RFC 3339 date-time such as 2026-01-31T12:00:00Z"))
            }
            to = parsed
        }
        var from = to.adding(microseconds: -defaultSpanSeconds * TelemetryTimestamp.microsecondsPerSecond)
        if let fromText {
            guard let parsed = parseTime(fromText) else {
                return .failure(TelemetryQueryError(field: "from", message: "from must be an RFC 3339 date-time such as 2026-01-31T00:00:00Z"))
            }
            from = parsed
        }
        guard from <= to else {
            return .failure(TelemetryQueryError(field: "from", message: "from (\(from.rfc3339)) is after to (\(to.rfc3339))"))
        }
        let window = TelemetryQueryWindow(from: from, to: to, interval: interval)
        guard window.bucketCount <= maximumBuckets else {
            return .failure(TelemetryQueryError(
                field: "interval",
                message: "the range holds \(window.bucketCount) buckets of \(interval.minutes) minutes; at most \(maximumBuckets) are allowed, so narrow the range or widen the interval"
            ))
        }
        return .success(window)
    }

    /// RFC 3339; a `+` offset that arrived as a space (an unencoded `+` in a query string) is
    /// read as `+`.
    static func parseTime(_ text: String) -> TelemetryTimestamp? {
        if let time = TelemetryTimestamp(rfc3339: text) { return time }
        guard text.count > 19, let space = text.lastIndex(of: " "), text.distance(from: text.startIndex, to: space) >= 19 else {
            return nil
        }
        var repaired = text
        repaired.replaceSubrange(space...space, with: "+")
        return TelemetryTimestamp(rfc3339: repaired)
    }
}

/// A query parameter that cannot be served: 400 with the trading error envelope.
public struct TelemetryQueryError: Error, Equatable, Sendable {
    public let field: String
    public let message: String
}
