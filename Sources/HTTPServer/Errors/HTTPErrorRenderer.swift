import JSON

/// Turns an `HTTPError` into the error shape of one API family. Chosen per route group; also used
/// for 404/405 under the group's prefix. `request` is nil when the request never parsed.
public protocol HTTPErrorRenderer: Sendable {
    func render(_ error: HTTPError, request: Request?) -> Response
}

/// The shape used when no family claims a request: `{"code": ..., "error": message}`, plus
/// `details` when present.
public struct DefaultErrorRenderer: HTTPErrorRenderer {
    public init() {}

    public func render(_ error: HTTPError, request: Request?) -> Response {
        var object: [String: JSONValue] = ["error": .string(error.message), "code": .string(error.code)]
        if let details = error.details { object["details"] = details }
        return (try? Response.json(JSONValue.object(object), status: error.status))
            ?? Response(status: error.status, body: Array(error.message.utf8))
    }
}

extension Error {
    /// The answer this error calls for: its own when it knows one, else the generic 500.
    var asHTTPError: HTTPError {
        (self as? any HTTPErrorConvertible)?.httpError ?? .internalError
    }

    /// Whether the error was unexpected (rendered as a generic 500; log its details).
    var isUnexpected: Bool { !(self is any HTTPErrorConvertible) }
}
