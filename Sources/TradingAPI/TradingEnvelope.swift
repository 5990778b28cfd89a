import HTTPServer
import JSON

/// The trading API's error envelope (`004`): `{"code","details","error","message","statusCode"}`,
/// with the real HTTP status in `statusCode` (the seed's constant 400 is a documentation slip,
/// DESIGN §6). The generic 500 keeps the seed's code and message.
public struct TradingEnvelope: HTTPErrorRenderer {
    public init() {}

    public func render(_ error: HTTPError, request: Request?) -> Response {
        let code = error.status == 500 ? "INTERNAL_SERVER_ERROR" : error.code
        let body: [String: JSONValue] = [
            "code": .string(code),
            "details": error.details ?? .object([:]),
            "error": .string(HTTPStatus.reasonPhrase(error.status)),
            "message": .string(error.message),
            "statusCode": .number(Double(error.status)),
        ]
        return (try? Response.json(JSONValue.object(body), status: error.status))
            ?? Response(status: error.status, body: Array(error.message.utf8))
    }
}
