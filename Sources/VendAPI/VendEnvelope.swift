import Foundation
import HTTPServer
import VendCore

/// The vend family's error shapes (seed 001), for every error under its paths: 401 is Laravel's
/// `{"message": "Unauthenticated."}`, a provider failure is `{"results": "FAILED", "message",
/// "details"}`, everything else `{"result": "FAILED", "message": ..., "type": null}`, each with
/// its real status.
struct VendEnvelope: HTTPErrorRenderer {
    static let unauthenticatedCode = "UNAUTHENTICATED"

    func render(_ error: HTTPError, request: Request?) -> Response {
        let encoder = JSONBody.makeEncoder()
        let body: Data?
        if error.code == Self.unauthenticatedCode {
            body = try? encoder.encode(VendBody.Unauthenticated())
        } else {
            body = try? encoder.encode(VendBody.Refused(message: Self.message(for: error)))
        }
        return Response(status: error.status, headers: ["Content-Type": "application/json"], body: Array(body ?? Data()))
    }

    /// The project's own low-level messages in the seed's sentence style.
    private static func message(for error: HTTPError) -> String {
        switch error.status {
        case 404 where error.code == "NOT_FOUND": "Not found."
        case 405: "Method not allowed."
        case 500: "Internal server error."
        default: error.message
        }
    }
}
