// The parser's vocabulary. Files in Parser/ use the standard library only, so that the libFuzzer
// target (fuzz/run.sh) can compile them on their own.

/// Limits the request parser enforces while bytes arrive.
public struct ParserLimits: Sendable, Equatable {
    /// Request line plus header lines, including their CRLFs (431 beyond).
    public var maxHeadBytes: Int
    /// Header fields in one request (431 beyond).
    public var maxHeaderCount: Int
    /// Decoded body bytes (413 beyond).
    public var maxBodyBytes: Int
    /// One chunk-size line of a chunked body, extensions included (400 beyond).
    public var maxChunkLineBytes: Int

    public init(maxHeadBytes: Int = 16 * 1024, maxHeaderCount: Int = 100,
                maxBodyBytes: Int = 1 << 20, maxChunkLineBytes: Int = 256) {
        self.maxHeadBytes = maxHeadBytes
        self.maxHeaderCount = maxHeaderCount
        self.maxBodyBytes = maxBodyBytes
        self.maxChunkLineBytes = maxChunkLineBytes
    }
}

/// Why a request was refused, with the status the client gets; the connection is then closed.
public struct ParseFailure: Error, Equatable, Sendable {
    public let status: Int
    public let reason: String
    /// The request-target as received, once the request line was read that far: it tells which
    /// family's envelope the answer takes.
    public var target: String?

    public init(status: Int, reason: String, target: String? = nil) {
        self.status = status
        self.reason = reason
        self.target = target
    }

    func withTarget(_ target: String?) -> ParseFailure {
        var failure = self
        if failure.target == nil { failure.target = target }
        return failure
    }

    static func bad(_ reason: String) -> ParseFailure { ParseFailure(status: 400, reason: reason) }
}

/// One header field as received (name case preserved, value trimmed of surrounding blanks).
public struct HeaderField: Equatable, Sendable {
    public var name: String
    public var value: String

    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}

/// A complete request as the parser delivers it: syntax checked, framing resolved, body decoded.
public struct ParsedRequest: Equatable, Sendable {
    /// The method token exactly as sent (tokens are case-sensitive).
    public var method: String
    /// The path of the request-target, still percent-encoded (validated) — `*` for `OPTIONS *`.
    public var path: String
    /// The query string after `?`, still encoded, or nil when there was no `?`.
    public var query: String?
    /// 0 for HTTP/1.0, 1 for HTTP/1.1.
    public var minorVersion: Int
    public var headers: [HeaderField]
    public var body: [UInt8]
    /// Whether the connection may carry another request after this one.
    public var keepAlive: Bool

    public init(method: String, path: String, query: String? = nil, minorVersion: Int = 1,
                headers: [HeaderField] = [], body: [UInt8] = [], keepAlive: Bool = true) {
        self.method = method
        self.path = path
        self.query = query
        self.minorVersion = minorVersion
        self.headers = headers
        self.body = body
        self.keepAlive = keepAlive
    }
}
