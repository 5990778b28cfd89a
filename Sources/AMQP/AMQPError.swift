/// An error from the AMQP layer. `description` is deliberately generic (code and broker reply
/// code only); `detail` carries library and broker text for logs, never for API responses.
public struct AMQPError: Error, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case invalidURL, invalidArgument
            case connectionFailed, tlsFailed, authenticationFailed, accessRefused
            case connectionClosed, channelClosed, heartbeatTimeout, timeout
            case notFound, preconditionFailed, resourceLocked, consumerCancelled
            case publishNacked, unroutable, staleDelivery, protocolError
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }
        public var description: String { base.rawValue }

        /// The URL could not be parsed.
        public static let invalidURL = Code(.invalidURL)
        /// An argument could not be sent (e.g. a name longer than 255 bytes).
        public static let invalidArgument = Code(.invalidArgument)
        /// TCP connect, name resolution or the AMQP handshake failed.
        public static let connectionFailed = Code(.connectionFailed)
        /// The TLS handshake or certificate verification failed.
        public static let tlsFailed = Code(.tlsFailed)
        /// The broker refused the user name or password.
        public static let authenticationFailed = Code(.authenticationFailed)
        /// The broker refused access (vhost, permissions, topic permissions): reply 403/530.
        public static let accessRefused = Code(.accessRefused)
        /// The connection is gone (socket closed, broker closed it, forced close).
        public static let connectionClosed = Code(.connectionClosed)
        /// The broker closed the channel for a reason not covered by a more specific code.
        public static let channelClosed = Code(.channelClosed)
        /// No traffic from the broker for two heartbeat intervals.
        public static let heartbeatTimeout = Code(.heartbeatTimeout)
        /// A wait (RPC reply, confirms) exceeded its deadline.
        public static let timeout = Code(.timeout)
        /// The queue or exchange does not exist (reply 404).
        public static let notFound = Code(.notFound)
        /// A redeclare with different arguments, or a similar precondition (reply 406).
        public static let preconditionFailed = Code(.preconditionFailed)
        /// An exclusive queue owned by another connection (reply 405).
        public static let resourceLocked = Code(.resourceLocked)
        /// The broker cancelled the consumer (queue deleted, node failure).
        public static let consumerCancelled = Code(.consumerCancelled)
        /// The broker nacked one or more published messages: they were not stored.
        public static let publishNacked = Code(.publishNacked)
        /// A mandatory message could not be routed to any queue (basic.return).
        public static let unroutable = Code(.unroutable)
        /// A delivery tag from an earlier channel or connection: drop it, the broker redelivers.
        public static let staleDelivery = Code(.staleDelivery)
        /// The broker or library reported something this wrapper did not expect.
        public static let protocolError = Code(.protocolError)
    }

    public let code: Code
    /// The AMQP reply code when the broker closed a channel or the connection (e.g. 404, 406).
    public let replyCode: UInt16?
    /// Whether trying again (after reconnecting, for connection-level codes) may succeed.
    public let isRetriable: Bool
    /// Library or broker text, for logs only.
    public let detail: String

    public init(_ code: Code, replyCode: UInt16? = nil, detail: String, isRetriable: Bool? = nil) {
        self.code = code
        self.replyCode = replyCode
        self.detail = detail
        self.isRetriable = isRetriable ?? Self.retriableCodes.contains(code)
    }

    private static let retriableCodes: Set<Code> = [
        .connectionFailed, .connectionClosed, .channelClosed, .heartbeatTimeout, .timeout,
        .consumerCancelled, .publishNacked,
    ]

    public var description: String {
        if let replyCode { return "AMQPError(\(code), reply \(replyCode))" }
        return "AMQPError(\(code))"
    }

    /// Whether the connection that raised this error can no longer be used.
    public var closesConnection: Bool {
        [.connectionFailed, .tlsFailed, .authenticationFailed, .connectionClosed,
         .heartbeatTimeout, .protocolError].contains(code)
    }
}

extension AMQPError {
    /// Maps a broker close (channel.close or connection.close) to an error.
    static func brokerClose(replyCode: UInt16, text: String, connectionLevel: Bool) -> AMQPError {
        let detail = "\(connectionLevel ? "connection" : "channel") closed by broker: \(replyCode) \(text)"
        switch replyCode {
        case 404: return AMQPError(.notFound, replyCode: replyCode, detail: detail)
        case 406: return AMQPError(.preconditionFailed, replyCode: replyCode, detail: detail)
        case 405: return AMQPError(.resourceLocked, replyCode: replyCode, detail: detail)
        case 403:
            // On connection.open (or login) 403 means bad credentials; later it means permissions.
            let code: Code = text.contains("ACCESS_REFUSED - Login was refused") ? .authenticationFailed : .accessRefused
            return AMQPError(code, replyCode: replyCode, detail: detail)
        case 530: return AMQPError(.accessRefused, replyCode: replyCode, detail: detail)
        case 320: return AMQPError(.connectionClosed, replyCode: replyCode, detail: detail) // CONNECTION_FORCED
        default:
            return AMQPError(connectionLevel ? .connectionClosed : .channelClosed, replyCode: replyCode, detail: detail)
        }
    }
}
