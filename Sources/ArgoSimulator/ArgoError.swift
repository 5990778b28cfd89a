import HTTPServer
import JSON

/// An Argo API error: a gRPC status code and message, sent as grpc-gateway's JSON
/// `{"code": N, "message": "..."}` with the HTTP status grpc-gateway maps the code to.
struct ArgoError: Error, HTTPErrorConvertible {
    enum Code: Int {
        case invalidArgument = 3, notFound = 5, alreadyExists = 6, permissionDenied = 7, resourceExhausted = 8
        case unimplemented = 12, internalError = 13, unavailable = 14, unauthenticated = 16

        var httpStatus: Int {
            switch self {
            case .invalidArgument: 400
            case .notFound: 404
            case .alreadyExists: 409
            case .permissionDenied: 403
            case .resourceExhausted: 429
            case .unimplemented: 501
            case .internalError: 500
            case .unavailable: 503
            case .unauthenticated: 401
            }
        }

        /// The code grpc-gateway would have mapped to `status` (for the router's own 404/405 and
        /// the listener's 400s).
        init(httpStatus status: Int) {
            switch status {
            case 400: self = .invalidArgument
            case 401: self = .unauthenticated
            case 403: self = .permissionDenied
            case 404: self = .notFound
            case 405, 501: self = .unimplemented
            case 409: self = .alreadyExists
            case 429: self = .resourceExhausted
            case 503: self = .unavailable
            default: self = .internalError
            }
        }
    }

    let code: Code
    let message: String

    init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    var httpError: HTTPError {
        HTTPError(status: code.httpStatus, code: String(code.rawValue), message: message)
    }
}

/// Renders every error of the simulator in grpc-gateway's shape.
struct ArgoErrorRenderer: HTTPErrorRenderer {
    func render(_ error: HTTPError, request: Request?) -> Response {
        let code = Int(error.code).flatMap(ArgoError.Code.init(rawValue:)) ?? ArgoError.Code(httpStatus: error.status)
        let body: JSONValue = ["code": .number(Double(code.rawValue)), "message": .string(error.message)]
        return (try? Response.json(body, status: error.status)) ?? Response(status: error.status)
    }
}
