/// The one HTTP/1.1 client for every call to a partner (the ESM, the workflow engine, the vend
/// provider), built so that a tenant who controls the URL, the DNS answers or the server cannot
/// reach internal addresses, exhaust memory or crash the process:
///
/// - **Pinned addresses.** Every request runs `OutboundURLGuard.resolveAndCheck(host:port:)` and
///   connects a socket to exactly one of the addresses that check returned, for `http` and
///   `https` alike, so a DNS answer that changes after the check (rebinding) is never used. Idle
///   keep-alive connections are reused only when their peer is among the addresses of a fresh check.
/// - **TLS from libssl** (`TLS` target): SNI, certificate chain and host name (or IP address)
///   verified against `OutboundTrust` (the system store or one CA file); TLS 1.2+.
/// - **Nothing from the environment.** No proxy (`http_proxy`, `https_proxy`, `ALL_PROXY`, ...),
///   no CA override (`SSL_CERT_FILE`): no environment variable is read.
/// - **No redirects**: a 3xx is returned as it is; callers must not follow it.
/// - **No content coding**: `Accept-Encoding: identity` is sent and any other `Content-Encoding`
///   in an answer is refused, never decoded.
/// - **Bounded**: the body cap is enforced while reading (a `Content-Length` or chunk size over it
///   is refused before its bytes are read; the connection is then closed), the head has its own
///   cap, and one deadline covers the whole exchange (connect, TLS, send, answer), so a server
///   that trickles bytes is cut off.
///
/// Blocking: `send` blocks the calling thread (name resolution included; `getaddrinfo` cannot be
/// interrupted, so a slow resolver is bounded by its own timeouts and the deadline is checked
/// right after it). Safe from many threads at once.
public final class OutboundHTTPClient: Sendable {
    public struct Timeouts: Sendable {
        /// For establishing the connection: TCP (all addresses together) and the TLS handshake.
        public var connect: Duration
        /// For the whole exchange, from the call to the last byte of the answer.
        public var request: Duration

        public init(connect: Duration = .seconds(5), request: Duration = .seconds(15)) {
            self.connect = connect
            self.request = request
        }
    }

    public let urlGuard: OutboundURLGuard
    /// The default body cap (a request may set its own).
    public let maxResponseBytes: Int
    let headLimits: HTTPResponseParser.Limits
    let pool: OutboundConnectionPool
    /// `nil`: the system trust store, loaded on the first `https` request.
    let trust: OutboundTrust?

    /// - Parameters:
    ///   - trust: whom `https` servers must be certified by; `nil` for the system trust store.
    ///   - maxResponseBytes: the body cap of every answer unless the request sets its own.
    public init(urlGuard: OutboundURLGuard, trust: OutboundTrust? = nil, maxResponseBytes: Int = 4 << 20,
                maxIdlePerEndpoint: Int = 8) {
        self.urlGuard = urlGuard
        self.trust = trust
        self.maxResponseBytes = maxResponseBytes
        headLimits = HTTPResponseParser.Limits()
        pool = OutboundConnectionPool(maxIdlePerEndpoint: maxIdlePerEndpoint)
    }

    /// Sends `request` and returns the answer, whatever its status (3xx included: redirects are
    /// not followed). Blocks the calling thread.
    public func send(_ request: HTTPClientRequest, timeouts: Timeouts = Timeouts()) throws(HTTPClientError) -> HTTPClientResponse {
        let deadline = Deadline.after(timeouts.request)
        if let refusal = request.refusal {
            throw HTTPClientError(kind: .invalidRequest, message: refusal, mayHaveBeenSent: false)
        }
        guard request.scheme == "http" || request.scheme == "https" else {
            throw HTTPClientError(kind: .invalidRequest, message: "scheme '\(request.scheme.prefix(20))' is not supported",
                                  mayHaveBeenSent: false)
        }
        let addresses = try checkedAddresses(request)
        guard !deadline.hasPassed else {
            throw HTTPClientError(kind: .timeout, message: "resolving \(request.host) took longer than the request's deadline",
                                  mayHaveBeenSent: false)
        }
        let tls = try tlsContext(for: request)
        var limits = headLimits
        limits.maxBodyBytes = max(0, request.maxResponseBytes ?? maxResponseBytes)
        let exchange = Exchange(request: request, head: request.serializedHead, limits: limits, deadline: deadline,
                                key: "\(request.scheme)://\(request.authority)", pool: pool)
        // A pooled connection may have been closed by the server while idle; when it ends before
        // any answer byte, the request is sent again once on a fresh connection.
        if let pooled = pool.take(key: exchange.key, allowed: addresses) {
            do throws(ExchangeFailure) {
                return try exchange.run(on: pooled, reused: true)
            } catch {
                if case .failed(let failure) = error { throw failure }   // stale: on to a fresh connection
            }
        }
        let connectDeadline = Deadline.earliest(deadline, Deadline.after(timeouts.connect))
        var lastFailure = HTTPClientError(kind: .unreachable, message: "no address to connect to", mayHaveBeenSent: false)
        for address in addresses {
            let stream: any OutboundStream
            do throws(TransportFailure) {
                stream = try connect(to: address, request: request, tls: tls, deadline: connectDeadline)
            } catch {
                lastFailure = Self.connectFailure(error, request: request)
                if lastFailure.kind == .tls && !Self.isTransportLevel(error) { throw lastFailure }
                continue
            }
            do throws(ExchangeFailure) {
                return try exchange.run(on: stream, reused: false)
            } catch {
                guard case .failed(let failure) = error else {
                    throw HTTPClientError(kind: .invalidResponse, message: "the server closed the connection without answering",
                                          mayHaveBeenSent: true)
                }
                throw failure
            }
        }
        throw lastFailure
    }

    /// Closes every idle pooled connection.
    public func closeIdleConnections() {
        pool.closeAll()
    }

    // MARK: Steps

    /// The guard's fresh check. The message a tenant may see names the rule only; the address a
    /// name resolved to goes to `detail`.
    private func checkedAddresses(_ request: HTTPClientRequest) throws(HTTPClientError) -> [IPAddress] {
        do {
            return try urlGuard.resolveAndCheck(host: request.host, port: request.port)
        } catch let error as OutboundURLError {
            throw HTTPClientError(kind: error.kind == .unresolvable ? .unreachable : .forbidden, message: error.reason,
                                  detail: error.detail, mayHaveBeenSent: false)
        } catch {
            throw HTTPClientError(kind: .forbidden, message: "the URL guard failed", detail: "\(error)", mayHaveBeenSent: false)
        }
    }

    private func tlsContext(for request: HTTPClientRequest) throws(HTTPClientError) -> OutboundTrust? {
        guard request.scheme == "https" else { return nil }
        if let trust { return trust }
        return try OutboundTrust.system()
    }

    private func connect(to address: IPAddress, request: HTTPClientRequest, tls: OutboundTrust?,
                         deadline: Deadline) throws(TransportFailure) -> any OutboundStream {
        let tcp = try TCPConnection.connect(to: address, port: request.port, deadline: deadline)
        guard let tls else { return tcp }
        // The name the URL carries, not the address: SNI and the certificate check are about it.
        let isLiteral = IPAddress(request.host) != nil
        do throws(TransportFailure) {
            return try TLSConnection.establish(over: tcp, context: tls.context, serverName: request.host,
                                               isIPAddress: isLiteral, deadline: deadline)
        } catch {
            tcp.close()
            throw error
        }
    }

    private static func isTransportLevel(_ error: TransportFailure) -> Bool {
        if case .tls(let failure) = error { return failure.kind != .certificate }
        return true
    }

    private static func connectFailure(_ error: TransportFailure, request: HTTPClientRequest) -> HTTPClientError {
        switch error {
        case .timedOut(let message):
            return HTTPClientError(kind: .timeout, message: message, mayHaveBeenSent: false)
        case .refused(let message), .closed(let message):
            return HTTPClientError(kind: .unreachable, message: message, mayHaveBeenSent: false)
        case .tls(let failure):
            return HTTPClientError(kind: .tls, message: "TLS with \(request.host) failed: \(failure.message)", mayHaveBeenSent: false)
        }
    }
}
