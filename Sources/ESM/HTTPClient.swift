import Dispatch
import Synchronization

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
    /// Extra header fields; `Host`, `Content-Length` and `Connection` are set by the client.
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]

    public init(method: String, scheme: String, host: String, port: Int, path: String,
                headers: [(name: String, value: String)] = [], body: [UInt8] = []) {
        self.method = method
        self.scheme = scheme
        self.host = host
        self.port = port
        self.path = path
        self.headers = headers
        self.body = body
    }

    /// `host[:port]` for the `Host` header.
    var authority: String {
        let hostText = host.contains(":") ? "[\(host)]" : host
        let defaultPort = scheme == "https" ? 443 : 80
        return port == defaultPort ? hostText : "\(hostText):\(port)"
    }
}

/// Why `OutboundHTTPClient` got no answer.
public struct HTTPClientError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable, Hashable {
        /// The URL guard refused the host or the addresses it resolves to now.
        case forbidden
        /// No connection could be made (refused, unreachable, not resolvable).
        case unreachable
        /// Connect, send or the answer did not complete in time.
        case timeout
        /// The connection broke or the answer was not valid HTTP/1.x.
        case invalidResponse
        /// The request itself cannot be sent (control characters in a header, unknown scheme).
        case invalidRequest
    }

    public let kind: Kind
    public let message: String
    /// Whether the request may have reached the server (false only when it certainly did not).
    public let mayHaveBeenSent: Bool

    public var description: String { message }
}

/// An outbound HTTP/1.1 client that cannot be steered by DNS rebinding.
///
/// `http://`: every request runs `OutboundURLGuard.resolveAndCheck(host:port:)` and connects a
/// POSIX socket to exactly one of the addresses that check returned, so the address connected to
/// is the address checked. Idle keep-alive connections are reused only when their peer address is
/// among those the fresh check returned.
///
/// `https://`: the owner's rules allow neither libssl nor hand-rolled TLS, so TLS goes through
/// Foundation's `URLSession` (libcurl underneath), which resolves the host itself. The guard runs
/// `resolveAndCheck` immediately before each request, but libcurl resolves again: a name whose DNS
/// answer changes in the milliseconds between the two lookups could still reach a private address.
/// That residual window is accepted (see `HTTPSTransport`, also for proxy environment variables);
/// certificate verification limits it to servers holding a valid certificate for the host name.
public final class OutboundHTTPClient: Sendable {
    public struct Timeouts: Sendable {
        /// For establishing the TCP connection (all addresses together).
        public var connect: Duration
        /// For the whole exchange, connect included.
        public var request: Duration

        public init(connect: Duration = .seconds(5), request: Duration = .seconds(15)) {
            self.connect = connect
            self.request = request
        }
    }

    public let urlGuard: OutboundURLGuard
    public let maxResponseBytes: Int
    private let pool = Mutex<[String: [HTTPClientSocketBox]]>([:])
    private let maxIdlePerEndpoint: Int
    private let https: HTTPSTransport

    public init(urlGuard: OutboundURLGuard, maxResponseBytes: Int = 4 << 20, maxIdlePerEndpoint: Int = 8) {
        self.urlGuard = urlGuard
        self.maxResponseBytes = maxResponseBytes
        self.maxIdlePerEndpoint = maxIdlePerEndpoint
        https = HTTPSTransport(maxResponseBytes: maxResponseBytes)
    }

    /// Sends `request` and returns the answer, whatever its status. Blocks the calling thread.
    /// Redirects are not followed (a 3xx is returned as it is).
    public func send(_ request: HTTPClientRequest, timeouts: Timeouts = Timeouts()) throws(HTTPClientError) -> HTTPClientResponse {
        // Header or request-line injection (CR/LF in a value taken from a partner's message).
        let fields = [request.method, request.path] + request.headers.flatMap { [$0.name, $0.value] }
        guard fields.allSatisfy({ $0.utf8.allSatisfy { $0 >= 0x20 && $0 != 0x7f } }),
              !request.method.contains(" "), !request.path.contains(" ") else {
            throw HTTPClientError(kind: .invalidRequest, message: "the request has control characters or spaces where none may be",
                                  mayHaveBeenSent: false)
        }
        let addresses: [IPAddress]
        do {
            addresses = try urlGuard.resolveAndCheck(host: request.host, port: request.port)
        } catch let error as OutboundURLError {
            let kind: HTTPClientError.Kind = error.kind == .unresolvable ? .unreachable : .forbidden
            throw HTTPClientError(kind: kind, message: error.reason, mayHaveBeenSent: false)
        } catch {
            throw HTTPClientError(kind: .forbidden, message: "the URL guard failed: \(error)", mayHaveBeenSent: false)
        }
        switch request.scheme {
        case "http":
            return try sendPlain(request, addresses: addresses, timeouts: timeouts)
        case "https":
            return try https.send(request, timeouts: timeouts)
        default:
            throw HTTPClientError(kind: .invalidRequest, message: "scheme '\(request.scheme)' is not supported", mayHaveBeenSent: false)
        }
    }

    /// Closes every idle pooled connection.
    public func closeIdleConnections() {
        let idle = pool.withLock { pool in
            defer { pool.removeAll() }
            return pool.values.flatMap { $0 }
        }
        for box in idle { box.socket.close() }
    }

    private func sendPlain(_ request: HTTPClientRequest, addresses: [IPAddress],
                           timeouts: Timeouts) throws(HTTPClientError) -> HTTPClientResponse {
        let deadline = Deadline.after(timeouts.request)
        let key = "\(request.host):\(request.port)"
        let head = Self.serializeHead(request)
        // A pooled connection may have been closed by the server while idle; when it ends before
        // any answer byte, the request is sent again once on a fresh connection.
        if let pooled = takeIdle(key: key, allowed: addresses) {
            do {
                return try exchange(request, head: head, on: pooled, reused: true, key: key, deadline: deadline)
            } catch let error as HTTPClientError {
                throw error
            } catch {
                // StaleConnection: fall through to a fresh connection.
            }
        }
        let connectDeadline = Deadline.earliest(deadline, Deadline.after(timeouts.connect))
        var lastFailure = HTTPClientError(kind: .unreachable, message: "no address to connect to", mayHaveBeenSent: false)
        for address in addresses {
            let socket: HTTPClientSocket
            do {
                socket = try HTTPClientSocket.connect(to: address, port: request.port, deadline: connectDeadline)
            } catch {
                switch error {
                case .timedOut(let message):
                    lastFailure = HTTPClientError(kind: .timeout, message: message, mayHaveBeenSent: false)
                case .refused(let message), .closed(let message):
                    lastFailure = HTTPClientError(kind: .unreachable, message: message, mayHaveBeenSent: false)
                }
                continue
            }
            do {
                return try exchange(request, head: head, on: socket, reused: false, key: key, deadline: deadline)
            } catch let error as HTTPClientError {
                throw error
            } catch {
                throw HTTPClientError(kind: .invalidResponse, message: "the server closed the connection without answering",
                                      mayHaveBeenSent: true)
            }
        }
        throw lastFailure
    }

    private struct StaleConnection: Error {}

    /// One request/answer on `socket`. Throws `StaleConnection` when a reused connection ended
    /// before any answer byte, `HTTPClientError` otherwise. Keeps the socket for reuse when the
    /// answer allows it, closes it otherwise.
    private func exchange(_ request: HTTPClientRequest, head: [UInt8], on socket: HTTPClientSocket, reused: Bool,
                          key: String, deadline: Deadline) throws -> HTTPClientResponse {
        do {
            try socket.writeAll(head + request.body, until: deadline)
        } catch {
            socket.close()
            switch error {
            case .timedOut(let message): throw HTTPClientError(kind: .timeout, message: message, mayHaveBeenSent: true)
            case .closed, .refused:
                if reused { throw StaleConnection() }
                throw HTTPClientError(kind: .unreachable, message: "the connection broke while sending the request", mayHaveBeenSent: true)
            }
        }
        var reader = HTTPClientResponseReader(socket: socket, deadline: deadline, maxBodyBytes: maxResponseBytes)
        do {
            let (response, reusable) = try reader.readResponse(forHEAD: request.method == "HEAD")
            if reusable { putIdle(socket, key: key) } else { socket.close() }
            return response
        } catch {
            socket.close()
            switch error {
            case .closedBeforeAnswer:
                if reused { throw StaleConnection() }
                throw HTTPClientError(kind: .invalidResponse, message: "the server closed the connection without answering",
                                      mayHaveBeenSent: true)
            case .malformed(let message), .tooLarge(let message):
                throw HTTPClientError(kind: .invalidResponse, message: "the answer is not usable HTTP: \(message)", mayHaveBeenSent: true)
            case .socket(.timedOut(let message)):
                throw HTTPClientError(kind: .timeout, message: message, mayHaveBeenSent: true)
            case .socket(.closed(let message)), .socket(.refused(let message)):
                throw HTTPClientError(kind: .invalidResponse, message: message, mayHaveBeenSent: true)
            }
        }
    }

    private func takeIdle(key: String, allowed: [IPAddress]) -> HTTPClientSocket? {
        while true {
            let candidate: HTTPClientSocketBox? = pool.withLock { pool in
                guard var list = pool[key], !list.isEmpty else { return nil }
                let box = list.removeLast()
                pool[key] = list
                return box
            }
            guard let candidate else { return nil }
            // Servers drop idle connections after a while (the HTTPServer target after 60 s);
            // older ones are not worth the race.
            let fresh = DispatchTime.now().uptimeNanoseconds - candidate.idleSince < 20_000_000_000
            if fresh && allowed.contains(candidate.socket.address) && candidate.socket.isIdleAndOpen { return candidate.socket }
            candidate.socket.close()
        }
    }

    private func putIdle(_ socket: HTTPClientSocket, key: String) {
        let box = HTTPClientSocketBox(socket: socket)
        let overflow: HTTPClientSocketBox? = pool.withLock { pool in
            var list = pool[key] ?? []
            list.append(box)
            let dropped = list.count > maxIdlePerEndpoint ? list.removeFirst() : nil
            pool[key] = list
            return dropped
        }
        overflow?.socket.close()
    }

    static func serializeHead(_ request: HTTPClientRequest) -> [UInt8] {
        var text = "\(request.method) \(request.path) HTTP/1.1\r\nHost: \(request.authority)\r\n"
        for (name, value) in request.headers {
            text += "\(name): \(value)\r\n"
        }
        if !request.body.isEmpty || request.method == "POST" || request.method == "PUT" {
            text += "Content-Length: \(request.body.count)\r\n"
        }
        text += "\r\n"
        return Array(text.utf8)
    }
}

/// Hands a socket between threads through the idle pool; only one thread holds it at a time.
struct HTTPClientSocketBox: @unchecked Sendable {
    let socket: HTTPClientSocket
    var idleSince = DispatchTime.now().uptimeNanoseconds
}
