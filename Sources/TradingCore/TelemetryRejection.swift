/// Why a delivery, or one element of an array delivery, cannot be stored. It travels to the
/// dead-letter queue as the `x-rejection-reason` header (`message`), and `kind` labels metrics.
public struct TelemetryRejection: Error, Equatable, Sendable, CustomStringConvertible {
    public enum Kind: String, CaseIterable, Sendable {
        /// The body is not JSON, or not an object or a non-empty array of objects.
        case malformed = "malformed"
        case missingField = "missing_field"
        /// A field has the wrong type or spelling (a UUID, an RFC 3339 time, a number).
        case invalidField = "invalid_field"
        /// A number that is NaN or infinite.
        case nonFinite = "non_finite"
        /// A number outside its allowed range (`soc` 0–100).
        case outOfRange = "out_of_range"
        /// A time further in the future than the configured skew allows.
        case futureTime = "future_time"
        /// A time older than the raw retention: its raw row, the only duplicate check, may be gone
        /// already, so storing it could count it twice in the 1-minute aggregates.
        case tooOld = "too_old"
        /// A delivery over the size or element cap (`TelemetryValidationRules`), refused unread.
        case tooLarge = "too_large"
        /// The plant does not exist in the queue's organisation.
        case unknownPlant = "unknown_plant"
        /// PostgreSQL refused the row permanently (found by bisecting a failed batch).
        case database = "database"
    }

    public let kind: Kind
    public let message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }

    /// Several violations of one element: the first one's kind, every message.
    static func combining(_ rejections: [TelemetryRejection]) -> TelemetryRejection? {
        guard let first = rejections.first else { return nil }
        guard rejections.count > 1 else { return first }
        return TelemetryRejection(first.kind, rejections.map(\.message).joined(separator: "; "))
    }
}

/// Limits applied while decoding telemetry and meter readings.
public struct TelemetryValidationRules: Sendable, Equatable {
    /// How far past "now" a sample's time may lie (clock skew of partner devices); later ones are
    /// rejected as implausible. Late and old samples are always accepted.
    public var maximumFutureSkewSeconds: Int64
    /// The longest meter id accepted.
    public var maximumMeterIDLength: Int
    /// The largest magnitude of any number: PostgreSQL sums them in `float8` per minute, and a
    /// finite but huge value (1e308) overflows the sum (SQLSTATE 22003), which would take the
    /// valid elements of its delivery to the dead-letter queue with it.
    public var maximumMagnitude: Double
    /// The earliest time accepted: PostgreSQL refuses year 0000 (22008), and telemetry from
    /// before 1970 is a device clock that was never set.
    public var earliestTime: TelemetryTimestamp
    /// Days of raw rows kept (`TelemetryRetention.rawDays`); samples from before the first kept
    /// UTC day are refused (`tooOld`). Nil: no bound (tools that store no aggregates).
    public var rawRetentionDays: Int?
    /// The largest delivery body read (bytes) and the most elements of an array delivery: a
    /// bigger one is refused whole before it is parsed, so that one delivery cannot make the
    /// consumer parse (and hold) a huge document.
    public var maximumDeliveryBytes: Int = 4 << 20
    public var maximumElements: Int = 10_000

    public init(maximumFutureSkewSeconds: Int64 = 300, maximumMeterIDLength: Int = 128, maximumMagnitude: Double = 1e15,
                earliestTime: TelemetryTimestamp = TelemetryTimestamp(secondsSinceEpoch: 0), rawRetentionDays: Int? = nil) {
        self.maximumFutureSkewSeconds = maximumFutureSkewSeconds
        self.maximumMeterIDLength = maximumMeterIDLength
        self.maximumMagnitude = maximumMagnitude
        self.earliestTime = earliestTime
        self.rawRetentionDays = rawRetentionDays
    }

    /// The first instant whose samples are still kept raw at `now`: midnight UTC of the day
    /// `rawRetentionDays` before (the maintainer drops the partitions of earlier days).
    public func oldestKept(now: TelemetryTimestamp) -> TelemetryTimestamp? {
        guard let days = rawRetentionDays else { return nil }
        let seconds = now.microsecondsSinceEpoch / TelemetryTimestamp.microsecondsPerSecond - Int64(days) * 86_400
        return TelemetryTimestamp(secondsSinceEpoch: floorDivide(seconds, 86_400) * 86_400)
    }

    public static let standard = TelemetryValidationRules()
}
