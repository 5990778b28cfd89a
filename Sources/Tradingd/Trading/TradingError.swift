import HTTPServer

/// The trading family's errors, each with the seed's code and message where the seed has one.
public enum TradingError {
    /// The caller's organisation vanished after its token was checked.
    public static let organizationMissing = HTTPError.unauthorized

    public static let configIncomplete = HTTPError.badRequest(
        "Config incomplete or ESM credentials not set", code: "TRADING_CONFIG_INCOMPLETE")

    public static let esmNotConfigured = HTTPError.badRequest("ESM integration is not configured", code: "ESM_NOT_CONFIGURED")

    public static let plantNotFound = HTTPError(status: 404, code: "PLANT_NOT_FOUND", message: "Plant not found")

    public static let queuePrefixTaken = validation([
        Violation(field: "queuePrefix", message: "queuePrefix is already used by another organization"),
    ])

    /// One broken rule of a request body; `index` is the array position for list items.
    public struct Violation: Sendable, Equatable {
        public var field: String
        public var message: String
        public var index: Int?

        public init(field: String, message: String, index: Int? = nil) {
            self.field = field
            self.message = message
            self.index = index
        }

        var json: JSONValue {
            var object: [String: JSONValue] = ["field": .string(field), "message": .string(message)]
            if let index { object["index"] = .number(Double(index)) }
            return .object(object)
        }
    }

    /// 400 `code` listing every violation in `details.violations`; the message names the first.
    public static func validation(_ violations: [Violation], code: String = "VALIDATION_ERROR") -> HTTPError {
        let first = violations.first.map { v in v.index.map { "\(v.message) (block \($0))" } ?? v.message } ?? "Validation error"
        let message = violations.count > 1 ? "Validation error: \(first) (and \(violations.count - 1) more)" : "Validation error: \(first)"
        return HTTPError.badRequest(message, code: code, details: ["violations": .array(violations.map(\.json))])
    }

    /// The ESM could not be reached or failed (timeout, connection refused, 5xx): 502.
    public static func esmUnavailable(_ reason: String) -> HTTPError {
        HTTPError(status: 502, code: "ESM_UNAVAILABLE", message: "The ESM is unavailable: \(reason)")
    }

    /// RabbitMQ (AMQP or its management API) refused or failed an operation: 503.
    public static func brokerUnavailable(_ reason: String) -> HTTPError {
        HTTPError(status: 503, code: "BROKER_UNAVAILABLE", message: "The message broker failed: \(reason)")
    }
}
