/// Writes a response head and body into a connection's output buffer, adding the headers every
/// response carries and dropping handler headers that would corrupt the framing.
enum ResponseSerializer {
    /// Headers the server owns; a handler's values for them are ignored, except `Content-Length`
    /// on HEAD (the size of the GET body) and `Content-Type`.
    private static let reserved: [String] = ["content-length", "connection", "date", "server", "x-request-id",
                                             "transfer-encoding", "keep-alive"]

    struct Context {
        var requestID: String
        var keepAlive: Bool
        /// HTTP/1.0 clients need `Connection: keep-alive` to keep the connection.
        var minorVersion: Int
        var isHead: Bool
    }

    static func write(_ response: Response, context: Context, date: [UInt8], serverName: String,
                      into output: inout [UInt8]) {
        let status = response.status
        let sendsBody = !HTTPStatus.forbidsBody(status)
        output.reserveCapacity(output.count + 256 + response.body.count)
        output.append(contentsOf: "HTTP/1.1 \(status) \(HTTPStatus.reasonPhrase(status))\r\n".utf8)
        var hasContentType = false
        var headContentLength: String?
        for field in response.headers {
            let lowered = field.name.lowercased()
            if lowered == "content-length" && context.isHead { headContentLength = field.value }
            guard isValid(field), !reserved.contains(lowered) else { continue }
            if lowered == "content-type" { hasContentType = true }
            append(field.name, field.value, to: &output)
        }
        if sendsBody {
            if !hasContentType { append("Content-Type", "text/plain; charset=utf-8", to: &output) }
            let length = context.isHead ? (headContentLength.flatMap(Int.init) ?? response.body.count) : response.body.count
            append("Content-Length", String(length), to: &output)
        }
        output.append(contentsOf: "Date: ".utf8)
        output.append(contentsOf: date)
        output.append(contentsOf: "\r\n".utf8)
        append("Server", serverName, to: &output)
        append("X-Request-Id", context.requestID, to: &output)
        if !context.keepAlive {
            append("Connection", "close", to: &output)
        } else if context.minorVersion == 0 {
            append("Connection", "keep-alive", to: &output)
        }
        output.append(contentsOf: "\r\n".utf8)
        if sendsBody && !context.isHead {
            output.append(contentsOf: response.body)
        }
    }

    /// The interim response to `Expect: 100-continue`.
    static let continueResponse = Array("HTTP/1.1 100 Continue\r\n\r\n".utf8)

    private static func append(_ name: String, _ value: String, to output: inout [UInt8]) {
        output.append(contentsOf: name.utf8)
        output.append(contentsOf: ": ".utf8)
        output.append(contentsOf: value.utf8)
        output.append(contentsOf: "\r\n".utf8)
    }

    /// A handler header is written only if it cannot break the message (no CR/LF/NUL injection).
    private static func isValid(_ field: HeaderField) -> Bool {
        !field.name.isEmpty && field.name.utf8.allSatisfy(HTTPSyntax.isTokenChar)
            && field.value.utf8.allSatisfy(HTTPSyntax.isFieldValueByte)
    }
}
