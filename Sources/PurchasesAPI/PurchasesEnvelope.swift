import HTTPServer
import JSON
import PurchaseCore

/// The submit-purchase family's error shapes (seed 000, a Django REST framework service):
/// authentication, permission, not-found and method errors as DRF words them, `{"detail": "..."}`
/// (401 with `WWW-Authenticate: Bearer`); every other error as the seed's `{"error": "..."}`; the
/// generic 500 with the seed's sentence.
public struct PurchasesEnvelope: HTTPErrorRenderer {
    public init() {}

    public func render(_ error: HTTPError, request: Request?) -> Response {
        let body: JSONValue
        switch error.status {
        case 401, 403:
            body = ["detail": .string(error.message)]
        case 404:
            body = ["detail": .string(error.code == "NOT_FOUND" && error.message == "Not found" ? "Not found." : error.message)]
        case 405:
            body = ["detail": .string("Method \"\(request?.method ?? "")\" not allowed.")]
        case 500:
            let creating = request?.method == "POST"
            body = ["error": .string(creating ? PurchaseMessages.seedInternalError : "Internal server error.")]
        default:
            body = ["error": .string(error.message)]
        }
        var response = (try? Response.json(body, status: error.status)) ?? Response(status: error.status)
        if error.status == 401 { response.headers.set("WWW-Authenticate", "Bearer realm=\"api\"") }
        return response
    }
}
