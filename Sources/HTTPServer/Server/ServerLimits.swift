/// Every limit the listener enforces; all configurable, defaults suited to an API daemon.
public struct ServerLimits: Sendable, Equatable {
    /// Request line plus headers (431 beyond).
    public var maxHeadBytes = 16 * 1024
    /// Header fields per request (431 beyond).
    public var maxHeaderCount = 100
    /// Request body after decoding (413 beyond).
    public var maxBodyBytes = 1 << 20
    /// Open client connections; further ones get 503 and are closed.
    public var maxConnections = 4096
    /// Request bytes held across all connections at once: received and not yet a request (heads
    /// and bodies being read, pipelined requests), plus the bodies of requests being handled.
    /// Bodies are read before any handler (authentication included) runs, so without this bound
    /// 4,096 connections could each hold a 1 MiB body. A connection whose bytes would pass it gets
    /// 503 `SERVER_BUSY` and is closed.
    public var maxBufferedRequestBytes = 64 << 20
    /// From the first byte of a request until its head is complete (408, then close); also how
    /// long a new connection may stay silent before its first request (then closed).
    public var headerReadTimeout: Duration = .seconds(10)
    /// From the end of the head until the body is complete (408, then close).
    public var bodyReadTimeout: Duration = .seconds(30)
    /// A keep-alive connection with no request in progress is closed after this.
    public var idleTimeout: Duration = .seconds(60)
    /// A handler that has not answered by then: the client gets 503 (the handler may still finish;
    /// its result is dropped) and the connection is closed.
    public var handlerTimeBudget: Duration = .seconds(30)
    /// A client that does not read its response for this long is dropped.
    public var writeTimeout: Duration = .seconds(30)
    /// Unwritten response bytes of one connection beyond which its further (pipelined) requests
    /// wait, and reading from it stops, until the client reads.
    public var maxPendingOutputBytes = 256 * 1024
    /// Requests waiting for a worker; beyond, new ones get 503 at once.
    public var maxQueuedRequests = 1024
    /// After an error response, how long to drain what the client still sends before closing, so
    /// the response is not lost to a TCP reset.
    public var lingerTimeout: Duration = .seconds(2)

    public init() {}

    var parserLimits: ParserLimits {
        ParserLimits(maxHeadBytes: maxHeadBytes, maxHeaderCount: maxHeaderCount, maxBodyBytes: maxBodyBytes)
    }
}

/// Where and how the listener runs.
public struct HTTPServerConfiguration: Sendable {
    /// A numeric IPv4 or IPv6 address.
    public var host: String
    /// 0 picks a free port (see `HTTPServer.port`).
    public var port: Int
    /// Event loop threads (about one per core).
    public var eventLoopCount: Int
    /// Threads running handlers that may block.
    public var workerCount: Int
    public var limits: ServerLimits
    /// The `Server` header.
    public var serverName: String

    public init(host: String = "127.0.0.1", port: Int = 8080, eventLoopCount: Int? = nil, workerCount: Int = 16,
                limits: ServerLimits = ServerLimits(), serverName: String = "tradingd") {
        self.host = host
        self.port = port
        self.eventLoopCount = max(1, eventLoopCount ?? SystemInfo.coreCount)
        self.workerCount = max(1, workerCount)
        self.limits = limits
        self.serverName = serverName
    }

    /// Parses `host:port` or `[v6]:port` (the form of `TRADINGD_HTTP_ADDRESS`).
    public static func parseAddress(_ address: String) -> (host: String, port: Int)? {
        let host: Substring, portText: Substring
        if address.hasPrefix("[") {
            guard let close = address.firstIndex(of: "]"),
                  address[address.index(after: close)...].hasPrefix(":") else { return nil }
            host = address[address.index(after: address.startIndex)..<close]
            portText = address[address.index(close, offsetBy: 2)...]
        } else {
            guard let colon = address.lastIndex(of: ":") else { return nil }
            host = address[..<colon]
            portText = address[address.index(after: colon)...]
        }
        guard !host.isEmpty, let port = Int(portText), (0...65535).contains(port) else { return nil }
        return (String(host), port)
    }
}

/// What the access log and request metrics need about one finished request.
public struct AccessRecord: Sendable {
    public var requestID: String
    /// `-` when the request never parsed.
    public var method: String
    public var path: String
    /// The matched route pattern; nil when nothing matched (label it `unmatched`).
    public var routePattern: String?
    public var status: Int
    /// From the complete request to the response handed to the socket.
    public var duration: Duration
    public var remoteAddress: String
    public var requestBodyBytes: Int
    public var responseBodyBytes: Int
    /// Why it failed, for the log only: an unexpected error, a parse failure, a timeout.
    public var failure: String?
}

/// Callbacks the application connects to its logger and metrics. They run on the event loop
/// threads: keep them short and non-blocking.
public struct HTTPServerHooks: Sendable {
    public var requestCompleted: (@Sendable (AccessRecord) -> Void)?
    /// The number of open client connections, after each change.
    public var connectionsChanged: (@Sendable (Int) -> Void)?

    public init(requestCompleted: (@Sendable (AccessRecord) -> Void)? = nil,
                connectionsChanged: (@Sendable (Int) -> Void)? = nil) {
        self.requestCompleted = requestCompleted
        self.connectionsChanged = connectionsChanged
    }
}
