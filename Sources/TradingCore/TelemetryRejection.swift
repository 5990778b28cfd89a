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

    public init(maximumFutureSkewSeconds: Int64 = 300, maximumMeterIDLength: Int = 128) {
        self.maximumFutureSkewSeconds = maximumFutureSkewSeconds
        self.maximumMeterIDLength = maximumMeterIDLength
    }

    public static let standard = TelemetryValidationRules()
}
