import Domain
import HTTPServer
import JSON

/// The one place where a domain failure becomes an HTTP answer: its kind gives the status, its
/// code, message and details pass through, and the route group's renderer (the family's
/// envelope) shapes the body. Handlers and services simply throw `DomainError`.
extension DomainError: HTTPErrorConvertible {
    public var httpError: HTTPError {
        HTTPError(status: kind.httpStatus, code: code, message: message, details: details.isEmpty ? nil : .object(details))
    }
}

extension DomainError.Kind {
    public var httpStatus: Int {
        switch self {
        case .invalid: 400
        case .unauthenticated: 401
        case .forbidden: 403
        case .notFound: 404
        case .conflict: 409
        case .upstreamFailed: 502
        case .unavailable: 503
        }
    }
}
