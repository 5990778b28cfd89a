import ExactJSON
import HTTPServer

extension Response {
    /// A JSON response written from an `ExactJSON` document (numbers exactly as built).
    static func exactJSON(_ document: ExactJSON, status: Int = 200) -> Response {
        Response(status: status, headers: ["Content-Type": "application/json"], body: Array(document.text.utf8))
    }
}
