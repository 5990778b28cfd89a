import CRabbitMQ
#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// One AMQP 0-9-1 connection over librabbitmq (blocking).
///
/// Single-owner invariant: librabbitmq connections are not thread-safe, so a connection and all
/// its channels must be used by one thread (or one owner that serialises every call) at a time.
/// It is `@unchecked Sendable` only so that an owner can hand it to a dedicated thread.
///
/// Heartbeats are serviced only inside librabbitmq calls (publish and frame waits), so an owner
/// that waits for messages must call `AMQPChannel.nextDelivery(timeout:)` in a loop with a
/// timeout shorter than the heartbeat interval, never sit idle outside the library.
public final class AMQPConnection: @unchecked Sendable {
    public struct Options: Sendable {
        /// Requested heartbeat; the broker may lower it. Zero disables heartbeats.
        public var heartbeat: Duration
        public var connectTimeout: Duration
        /// Upper bound for each RPC (declare, bind, qos, …); on expiry the connection is dropped.
        public var rpcTimeout: Duration
        public var frameMax: Int
        /// Shown by the management API (`client_properties.connection_name`).
        public var connectionName: String?

        public init(heartbeat: Duration = .seconds(30), connectTimeout: Duration = .seconds(10),
                    rpcTimeout: Duration = .seconds(30), frameMax: Int = 131_072, connectionName: String? = nil) {
            self.heartbeat = heartbeat
            self.connectTimeout = connectTimeout
            self.rpcTimeout = rpcTimeout
            self.frameMax = frameMax
            self.connectionName = connectionName
        }
    }

    public let url: AMQPURL
    public let options: Options
    /// Nil once the connection was destroyed.
    private(set) var state: amqp_connection_state_t?
    /// Set when the connection failed or was closed; every later call throws it.
    private(set) var failure: AMQPError?
    var channels: [UInt16: ChannelState] = [:]
    private let channelMax: Int
    /// Set while the broker has blocked publishing (resource alarm).
    public internal(set) var isBlocked = false

    private static let identityCounter = Atomic<UInt64>(0)
    static func nextIdentity() -> UInt64 { identityCounter.add(1, ordering: .relaxed).newValue }

    public init(url: AMQPURL, options: Options = Options()) throws {
        self.url = url
        self.options = options
        let state = try Self.connect(url: url, options: options)
        self.state = state
        let negotiated = Int(amqp_get_channel_max(state))
        channelMax = negotiated == 0 ? 2047 : negotiated
    }

    deinit { close() }

    public var isOpen: Bool { state != nil && failure == nil }

    /// The heartbeat interval agreed with the broker, in seconds (0: none).
    public var heartbeatSeconds: Int { state.map { Int(amqp_get_heartbeat($0)) } ?? 0 }

    /// Opens a new channel on the lowest free channel number.
    public func openChannel() throws -> AMQPChannel {
        let state = try liveState()
        guard let number = (1...channelMax).first(where: { channels[UInt16($0)] == nil }).map(UInt16.init) else {
            throw AMQPError(.invalidArgument, detail: "no free channel number (max \(channelMax))")
        }
        let channelState = ChannelState(number: number, identity: Self.nextIdentity())
        channels[number] = channelState
        _ = amqp_channel_open(state, number)
        do {
            try checkReply(amqp_get_rpc_reply(state), channel: number, context: "channel.open")
        } catch {
            channels[number] = nil
            throw error
        }
        return AMQPChannel(connection: self, state: channelState)
    }

    /// Closes the connection (and its channels) politely, then frees it. Idempotent.
    public func close() {
        guard let state else { return }
        if failure == nil {
            _ = amqp_connection_close(state, 200) // REPLY_SUCCESS
            failure = AMQPError(.connectionClosed, detail: "connection closed by its owner")
        }
        amqp_destroy_connection(state)
        self.state = nil
        for channel in channels.values where channel.failure == nil { channel.failure = failure }
    }

    func liveState() throws -> amqp_connection_state_t {
        if let failure { throw failure }
        guard let state else { throw AMQPError(.connectionClosed, detail: "connection destroyed") }
        return state
    }

    /// Marks the connection (and every channel) as failed; the socket is freed on `close()`.
    func fail(_ error: AMQPError) {
        if failure == nil { failure = error }
        for channel in channels.values where channel.failure == nil { channel.failure = error }
    }

    // MARK: - Connecting

    /// A logged-in connection to one of the URL's nodes: each in turn, from a random one (so that
    /// replicas spread over a cluster and a stopped node is passed over); the last error if none.
    private static func connect(url: AMQPURL, options: Options) throws -> amqp_connection_state_t {
        let nodes = url.nodes
        let first = nodes.count > 1 ? Int.random(in: 0..<nodes.count) : 0
        var lastError: any Error = AMQPError(.connectionFailed, detail: "no node to connect to")
        for offset in 0..<nodes.count {
            let target = url.at(nodes[(first + offset) % nodes.count])
            guard let state = amqp_new_connection() else {
                throw AMQPError(.connectionFailed, detail: "amqp_new_connection failed")
            }
            do {
                try openSocket(state: state, url: target, options: options)
                try login(state: state, url: target, options: options)
                return state
            } catch {
                amqp_destroy_connection(state)
                lastError = error
            }
        }
        throw lastError
    }

    private static func openSocket(state: amqp_connection_state_t, url: AMQPURL, options: Options) throws {
        let socket: OpaquePointer?
        if let tls = url.tls {
            socket = amqp_ssl_socket_new(state)
            guard let socket else { throw AMQPError(.tlsFailed, detail: "amqp_ssl_socket_new failed") }
            amqp_ssl_socket_set_verify_peer(socket, tls.verifyPeer ? 1 : 0)
            amqp_ssl_socket_set_verify_hostname(socket, tls.verifyPeer ? 1 : 0)
            // librabbitmq 0.11 does not load OpenSSL's default paths: name the system bundle.
            let caFile = tls.caCertificatePath ?? "/etc/ssl/certs/ca-certificates.crt"
            if tls.verifyPeer || tls.caCertificatePath != nil {
                let status = amqp_ssl_socket_set_cacert(socket, caFile)
                if status != 0 { throw libraryError(.tlsFailed, status, "loading CA file \(caFile)") }
            }
            if let certificate = tls.clientCertificatePath, let key = tls.clientKeyPath {
                let status = amqp_ssl_socket_set_key(socket, certificate, key)
                if status != 0 { throw libraryError(.tlsFailed, status, "loading client certificate") }
            }
        } else {
            socket = amqp_tcp_socket_new(state)
        }
        guard let socket else { throw AMQPError(.connectionFailed, detail: "amqp_tcp_socket_new failed") }

        let connectTimeout = url.connectionTimeoutMilliseconds.map { Duration.milliseconds($0) } ?? options.connectTimeout
        var connectTime = timeval(connectTimeout)
        amqp_set_handshake_timeout(state, &connectTime)
        var rpcTime = timeval(options.rpcTimeout)
        amqp_set_rpc_timeout(state, &rpcTime)
        let status = amqp_socket_open_noblock(socket, url.host, Int32(url.port), &connectTime)
        if status != 0 {
            let isTLS = status <= -0x0200 && status > -0x0300
            throw libraryError(isTLS ? .tlsFailed : .connectionFailed, status, "connecting to \(url.host):\(url.port)")
        }
    }

    private static func login(state: amqp_connection_state_t, url: AMQPURL, options: Options) throws {
        let heartbeat = url.heartbeatSeconds ?? Int(options.heartbeat.components.seconds)
        let reply = CArena.with { arena in
            // librabbitmq 0.11 advertises only authentication_failure_close; without
            // consumer_cancel_notify a consumer of a deleted queue would wait forever.
            var properties = arena.table([
                "connection_name": .string(options.connectionName ?? "tradingd"),
                "capabilities": .table(["consumer_cancel_notify": true, "connection.blocked": true]),
            ])
            return tradingd_amqp_login_plain_with_properties(
                state, url.virtualHost, 0, Int32(options.frameMax), Int32(heartbeat), &properties,
                url.user, url.password)
        }
        switch reply.reply_type {
        case AMQP_RESPONSE_NORMAL:
            return
        case AMQP_RESPONSE_SERVER_EXCEPTION where reply.reply.id == Method.connectionClose:
            let close = reply.reply.decoded.assumingMemoryBound(to: amqp_connection_close_t.self).pointee
            var closeOk = amqp_connection_close_ok_t(dummy: 0)
            _ = amqp_send_method(state, 0, Method.connectionCloseOk, &closeOk)
            throw AMQPError.brokerClose(replyCode: close.reply_code, text: close.reply_text.swiftString, connectionLevel: true)
        case AMQP_RESPONSE_LIBRARY_EXCEPTION:
            // RabbitMQ drops the socket on a bad login when the client lacks
            // authentication_failure_close; librabbitmq sees a closed connection.
            let status = reply.library_error
            if status == AMQP_STATUS_CONNECTION_CLOSED.rawValue || status == AMQP_STATUS_SOCKET_CLOSED.rawValue {
                throw libraryError(.authenticationFailed, status, "login refused (socket closed during login)", retriable: false)
            }
            throw libraryError(.connectionFailed, status, "login")
        default:
            throw AMQPError(.protocolError, detail: "login: unexpected reply type \(reply.reply_type.rawValue)")
        }
    }

    static func libraryError(_ code: AMQPError.Code, _ status: Int32, _ context: String, retriable: Bool? = nil) -> AMQPError {
        let text = amqp_error_string2(status).map { String(cString: $0) } ?? "status \(status)"
        return AMQPError(code, detail: "\(context): \(text)", isRetriable: retriable)
    }
}

/// Method ids of AMQP 0-9-1 (librabbitmq's macros are casts that Swift does not import).
enum Method {
    static let connectionClose: amqp_method_number_t = 0x000A_0032
    static let connectionCloseOk: amqp_method_number_t = 0x000A_0033
    static let connectionBlocked: amqp_method_number_t = 0x000A_003C
    static let connectionUnblocked: amqp_method_number_t = 0x000A_003D
    static let channelClose: amqp_method_number_t = 0x0014_0028
    static let channelCloseOk: amqp_method_number_t = 0x0014_0029
    static let basicCancel: amqp_method_number_t = 0x003C_001E
    static let basicReturn: amqp_method_number_t = 0x003C_0032
    static let basicDeliver: amqp_method_number_t = 0x003C_003C
    static let basicGetOk: amqp_method_number_t = 0x003C_0047
    static let basicGetEmpty: amqp_method_number_t = 0x003C_0048
    static let basicAck: amqp_method_number_t = 0x003C_0050
    static let basicNack: amqp_method_number_t = 0x003C_0078
}

extension timeval {
    init(_ duration: Duration) {
        let clamped = max(duration, .zero)
        let (seconds, attoseconds) = clamped.components
        self.init(tv_sec: Int(seconds), tv_usec: Int(attoseconds / 1_000_000_000_000))
    }
}
