import Domain
import ESM
import JSON

/// The trading family's failures, each with the seed's code and message where the seed has one.
/// Domain errors only: `API` maps each kind to its status, `TradingAPI`'s envelope shapes them.
public enum TradingError {
    /// The caller's organisation vanished after its token was checked.
    public static let organizationMissing = DomainError.unauthenticated

    public static let configIncomplete = DomainError.invalid(
        "Config incomplete or ESM credentials not set", code: "TRADING_CONFIG_INCOMPLETE")

    public static let esmNotConfigured = DomainError.invalid("ESM integration is not configured", code: "ESM_NOT_CONFIGURED")

    public static let notEnabled = DomainError.invalid("Trading is not enabled; enable it first", code: "TRADING_NOT_ENABLED")

    /// A plant of another organisation looks exactly like a missing one (DESIGN §6).
    public static let plantNotFound = DomainError(.notFound, code: "PLANT_NOT_FOUND", message: "Plant not found")

    public static let queuePrefixTaken = DomainError.validation([
        Violation(field: "queuePrefix", message: "queuePrefix is already used by another organization"),
    ])

    /// The ESM could not be reached or failed (timeout, connection refused, 5xx): 502.
    public static func esmUnavailable(_ reason: String) -> DomainError {
        DomainError(.upstreamFailed, code: "ESM_UNAVAILABLE", message: "The ESM is unavailable: \(reason)")
    }

    /// RabbitMQ (AMQP or its management API) refused or failed an operation: 503.
    public static func brokerUnavailable(_ reason: String) -> DomainError {
        DomainError(.unavailable, code: "BROKER_UNAVAILABLE", message: "The message broker failed: \(reason)")
    }

    /// How an ESM failure reaches an API client: the ESM refusing the request (4xx) is a 400
    /// naming its reason; everything else (unreachable, timeout, 5xx, bad answer, refused token,
    /// refused address) is 502 `ESM_UNAVAILABLE` with the client's scrubbed message.
    public static func esm(_ error: ESMError, details: [String: JSONValue] = [:]) -> DomainError {
        var details = details
        details["esmCode"] = .string(error.code)
        if let status = error.status { details["esmStatus"] = .number(Double(status)) }
        if error.kind == .clientError {
            let reason = error.esmReason.map { ": \($0)" } ?? ""
            return DomainError.invalid("The ESM refused the request\(reason)", details: details)
        }
        var unavailable = esmUnavailable(error.message)
        unavailable.details = details
        return unavailable
    }
}

extension TradingError {
    /// `telemetry/latest` of a plant that has sent nothing yet.
    public static let noTelemetry = DomainError(.notFound, code: "NO_TELEMETRY", message: "No telemetry has been received for this plant yet")
}
