import HTTPServer
import Observability

/// The customer-data families' error shape (seeds 002 and 003): `{"error": "..."}` with the real
/// status. Messages of the router itself (404, 405, 500) are given in the family's language.
public struct CustomerDataEnvelope: HTTPErrorRenderer {
    public enum Language: Sendable { case spanish, english }

    let language: Language

    public init(language: Language) { self.language = language }

    public func render(_ error: HTTPError, request: Request?) -> Response {
        var body = "{\"error\":"
        JSONText.appendString(message(for: error), to: &body)
        body += "}"
        return Response(status: error.status, headers: ["Content-Type": "application/json"], body: Array(body.utf8))
    }

    func message(for error: HTTPError) -> String {
        switch (language, error.code) {
        case (.spanish, "NOT_FOUND") where error.message == "Not found": "Recurso no encontrado."
        case (.spanish, "METHOD_NOT_ALLOWED"): "Método no permitido."
        case (.spanish, _) where error.status == 500: "Error interno del servidor."
        case (.english, "NOT_FOUND") where error.message == "Not found": "Not found."
        case (.english, "METHOD_NOT_ALLOWED"): "Method not allowed."
        case (.english, _) where error.status == 500: "Internal server error."
        default: error.message
        }
    }
}
