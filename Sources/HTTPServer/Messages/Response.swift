/// A response as handlers build it. The server adds `Date`, `Server`, `Content-Length`,
/// `X-Request-Id` and `Connection` when writing it.
public struct Response: Sendable {
    public var status: Int
    public var headers: HTTPHeaders
    public var body: [UInt8]

    public init(status: Int = 200, headers: HTTPHeaders = [:], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// A `text/plain; charset=utf-8` response.
    public static func text(_ text: String, status: Int = 200) -> Response {
        Response(status: status, headers: ["Content-Type": "text/plain; charset=utf-8"], body: Array(text.utf8))
    }

    /// An empty response (204 by default).
    public static func empty(status: Int = 204) -> Response {
        Response(status: status)
    }
}
