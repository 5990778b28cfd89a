/// A request for `OutboundHTTPClient`. The target is given as the parts of a URL that already
/// passed `OutboundURLGuard.check(url:)`; the client checks the host again before connecting.
public struct HTTPClientRequest: Sendable {
    public var method: String
    /// `http` or `https`.
    public var scheme: String
    /// Host name or IP literal (IPv6 without brackets).
    public var host: String
    public var port: Int
    /// Path and query, starting with `/`.
    public var path: String
    /// Extra header fields. `Host`, `Content-Length`, `Accept-Encoding`, `Transfer-Encoding` and
    /// `Connection` belong to the client; a request that sets them is refused.
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]
    /// The body cap for this request's answer; `nil` uses the client's.
    public var maxResponseBytes: Int?

    public init(method: String, scheme: String, host: String, port: Int, path: String,
                headers: [(name: String, value: String)] = [], body: [UInt8] = [], maxResponseBytes: Int? = nil) {
        self.method = method
        self.scheme = scheme
        self.host = host
        self.port = port
        self.path = path
        self.headers = headers
        self.body = body
        self.maxResponseBytes = maxResponseBytes
    }

    /// A request for `path` (and query) below a URL the guard validated.
    public init(method: String, url: ValidatedURL, path: String, headers: [(name: String, value: String)] = [],
                body: [UInt8] = [], maxResponseBytes: Int? = nil) {
        self.init(method: method, scheme: url.scheme, host: url.host, port: url.port, path: path,
                  headers: headers, body: body, maxResponseBytes: maxResponseBytes)
    }

    /// `host[:port]` for the `Host` header.
    var authority: String {
        let hostText = host.contains(":") ? "[\(host)]" : host
        let defaultPort = scheme == "https" ? 443 : 80
        return port == defaultPort ? hostText : "\(hostText):\(port)"
    }

    static let reservedHeaders: Set<String> = ["host", "content-length", "accept-encoding", "transfer-encoding", "connection"]

    /// Why the request cannot be sent as it is, or `nil`: CR/LF or other control characters (a
    /// value taken from a partner's message could otherwise inject header lines), spaces in the
    /// method or path, a header the client sets itself.
    var refusal: String? {
        let fields = [method, path] + headers.flatMap { [$0.name, $0.value] }
        guard fields.allSatisfy({ $0.utf8.allSatisfy { $0 >= 0x20 && $0 != 0x7f } }), !method.isEmpty,
              !method.contains(" "), !path.contains(" "), path.hasPrefix("/") else {
            return "the request has control characters or spaces where none may be"
        }
        guard headers.allSatisfy({ !$0.name.isEmpty && !$0.name.contains(":") && !$0.name.contains(" ") }) else {
            return "a header name is empty or contains ':' or a space"
        }
        if let reserved = headers.first(where: { Self.reservedHeaders.contains($0.name.lowercased()) }) {
            return "the header '\(reserved.name)' is set by the client itself"
        }
        return nil
    }

    /// The request line and head. `Accept-Encoding: identity`: the client decodes nothing and
    /// refuses coded answers.
    var serializedHead: [UInt8] {
        var text = "\(method) \(path) HTTP/1.1\r\nHost: \(authority)\r\n"
        for (name, value) in headers {
            text += "\(name): \(value)\r\n"
        }
        text += "Accept-Encoding: identity\r\n"
        if !body.isEmpty || method == "POST" || method == "PUT" || method == "PATCH" {
            text += "Content-Length: \(body.count)\r\n"
        }
        text += "\r\n"
        return Array(text.utf8)
    }
}
