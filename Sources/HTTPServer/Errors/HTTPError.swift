import JSON

/// An error that knows its HTTP answer: status, a stable machine code, a message for people, and
/// optional details (validation violations...). Handlers throw it; the route's renderer shapes it.
public struct HTTPError: Error, Sendable, Equatable, CustomStringConvertible {
    public var status: Int
    public var code: String
    public var message: String
    public var details: JSONValue?

    public init(status: Int, code: String, message: String, details: JSONValue? = nil) {
        self.status = status
        self.code = code
        self.message = message
        self.details = details
    }

    public var description: String { "HTTPError(\(status), \(code): \(message))" }

    public static func badRequest(_ message: String, code: String = "BAD_REQUEST", details: JSONValue? = nil) -> HTTPError {
        HTTPError(status: 400, code: code, message: message, details: details)
    }

    public static func notFound(_ message: String = "Not found", code: String = "NOT_FOUND") -> HTTPError {
        HTTPError(status: 404, code: code, message: message)
    }

    public static func methodNotAllowed(_ message: String = "Method not allowed") -> HTTPError {
        HTTPError(status: 405, code: "METHOD_NOT_ALLOWED", message: message)
    }

    /// What clients see for an error the server did not expect; the real one goes to the log only.
    public static let internalError = HTTPError(status: 500, code: "INTERNAL_ERROR", message: "Internal server error")

    public static func serviceUnavailable(_ message: String, code: String = "SERVICE_UNAVAILABLE") -> HTTPError {
        HTTPError(status: 503, code: code, message: message)
    }
}

/// Errors of other layers that map to a definite HTTP answer conform to this to render as such
/// (for instance a validation error collecting every violation into `details`).
public protocol HTTPErrorConvertible: Error {
    var httpError: HTTPError { get }
}

extension HTTPError: HTTPErrorConvertible {
    public var httpError: HTTPError { self }
}
