import Synchronization

/// One message to publish through `ReconnectingPublisher`.
public struct AMQPOutgoingMessage: Sendable {
    public var exchange: String
    public var routingKey: String
    public var body: [UInt8]
    public var properties: AMQPProperties
    public var mandatory: Bool

    public init(exchange: String, routingKey: String, body: [UInt8],
                properties: AMQPProperties = AMQPProperties(), mandatory: Bool = false) {
        self.exchange = exchange
        self.routingKey = routingKey
        self.body = body
        self.properties = properties
        self.mandatory = mandatory
    }
}

/// A confirm-mode publisher that survives dropped connections: each batch is published and
/// confirmed as a whole; when the connection fails (or the broker nacks), it reconnects with
/// backoff and publishes the whole batch again. Delivery is therefore at-least-once: a batch
/// interrupted after the broker stored part of it is stored again, so consumers deduplicate
/// (tradingd's stores key on message identity).
///
/// Single-owner like `AMQPConnection`; only `stop()` may be called from another thread.
public final class ReconnectingPublisher: @unchecked Sendable {
    public let url: AMQPURL
    public let options: AMQPConnection.Options
    public let backoff: Backoff
    private let setup: (AMQPChannel) throws -> Void
    private let onEvent: (ReconnectingConsumer.Event) -> Void
    private let stopped = Atomic<Bool>(false)
    private var connection: AMQPConnection?
    private var channel: AMQPChannel?
    /// How many times a lost connection was replaced.
    public private(set) var reconnectCount = 0
    private var hasConnected = false

    /// - Parameter setup: declares what publishing needs (e.g. the exchange); must be idempotent.
    public init(url: AMQPURL, options: AMQPConnection.Options = .init(), backoff: Backoff = Backoff(),
                setup: @escaping (AMQPChannel) throws -> Void = { _ in },
                onEvent: @escaping (ReconnectingConsumer.Event) -> Void = { _ in }) {
        self.url = url
        self.options = options
        self.backoff = backoff
        self.setup = setup
        self.onEvent = onEvent
    }

    deinit { close() }

    /// Publishes `messages` and returns once the broker confirmed all of them, retrying through
    /// reconnects. Throws non-retriable errors (e.g. `.unroutable` for a mandatory message no
    /// queue takes, bad credentials) and `.connectionClosed` after `stop()`.
    public func publish(_ messages: [AMQPOutgoingMessage], confirmTimeout: Duration = .seconds(30)) throws {
        try backoff.retrying(
            isStopped: { isStopped },
            onRetry: { attempt, delay, error in onEvent(.retrying(attempt: attempt, after: delay, error: error)) },
            {
                let channel = try currentChannel()
                do {
                    for message in messages {
                        try channel.publish(exchange: message.exchange, routingKey: message.routingKey,
                                            body: message.body, properties: message.properties,
                                            mandatory: message.mandatory, timeout: confirmTimeout)
                    }
                    try channel.waitForConfirms(timeout: confirmTimeout)
                } catch let error as AMQPError where error.closesConnection || error.code == .timeout {
                    onEvent(.disconnected(error))
                    close()
                    throw error
                }
            })
    }

    public func publish(_ message: AMQPOutgoingMessage) throws { try publish([message]) }

    /// Like `publish(_:)`, but a mandatory message the broker could not route is returned rather
    /// than thrown, so the caller can set it aside and go on with the others (all were confirmed).
    public func publishReportingReturns(_ messages: [AMQPOutgoingMessage],
                                        confirmTimeout: Duration = .seconds(30)) throws -> [AMQPReturnedMessage] {
        try backoff.retrying(
            isStopped: { isStopped },
            onRetry: { attempt, delay, error in onEvent(.retrying(attempt: attempt, after: delay, error: error)) },
            {
                let channel = try currentChannel()
                do {
                    _ = channel.takeReturnedMessages()
                    for message in messages {
                        try channel.publish(exchange: message.exchange, routingKey: message.routingKey,
                                            body: message.body, properties: message.properties,
                                            mandatory: message.mandatory, timeout: confirmTimeout)
                    }
                    let settled = try channel.settleConfirms(timeout: confirmTimeout)
                    if !settled.nacked.isEmpty {
                        throw AMQPError(.publishNacked, detail: "broker nacked \(settled.nacked.count) of \(messages.count)")
                    }
                    return settled.returned
                } catch let error as AMQPError where error.closesConnection || error.code == .timeout {
                    onEvent(.disconnected(error))
                    close()
                    throw error
                }
            })
    }

    /// Connects now (with retries), so that configuration errors surface at start-up.
    public func start() throws {
        _ = try backoff.retrying(isStopped: { isStopped }, onRetry: { _, _, _ in }, { try currentChannel() })
    }

    /// Ends the current or next backoff wait and makes every later call throw. Thread-safe.
    public func stop() { stopped.store(true, ordering: .relaxed) }

    public var isStopped: Bool { stopped.load(ordering: .relaxed) }

    public func close() {
        connection?.close()
        connection = nil
        channel = nil
    }

    private func currentChannel() throws -> AMQPChannel {
        if let channel, channel.isOpen { return channel }
        close()
        let fresh: AMQPChannel
        do {
            let connection = try AMQPConnection(url: url, options: options)
            self.connection = connection
            fresh = try connection.openChannel()
            try setup(fresh)
            try fresh.enableConfirms()
        } catch {
            close()
            throw error
        }
        channel = fresh
        if hasConnected { reconnectCount += 1 }
        hasConnected = true
        onEvent(.connected(reconnects: reconnectCount))
        return fresh
    }
}
