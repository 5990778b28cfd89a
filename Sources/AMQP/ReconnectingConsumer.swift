import Synchronization

/// A consumer that survives broker restarts and dropped connections.
///
/// It owns one connection with a consuming channel (and, on demand, a confirm-mode publishing
/// channel on the same connection). When the connection or channel fails with a retriable
/// error it reconnects with capped exponential backoff and jitter, runs `setup` again (declare
/// what it needs: it must be idempotent), and resumes consuming.
///
/// After a reconnect, delivery tags of the old connection are invalid: the broker requeues
/// those messages and redelivers them (`redelivered == true`) with new tags. Callers must drop
/// the deliveries they still hold; `ack`/`nack`/`reject` refuse them with `.staleDelivery`.
///
/// Single-owner like `AMQPConnection`; only `stop()` may be called from another thread.
public final class ReconnectingConsumer: @unchecked Sendable {
    public enum Event: Sendable {
        case connected(reconnects: Int)
        case disconnected(AMQPError)
        case retrying(attempt: Int, after: Duration, error: AMQPError)
    }

    public let url: AMQPURL
    public let queue: String
    public let prefetch: UInt16
    public let options: AMQPConnection.Options
    public let backoff: Backoff
    private let setup: (AMQPChannel) throws -> Void
    private let onEvent: (Event) -> Void
    private let stopped = Atomic<Bool>(false)

    private var connection: AMQPConnection?
    private var consumerChannel: AMQPChannel?
    private var publisherChannel: AMQPChannel?
    /// How many times a lost connection was replaced.
    public private(set) var reconnectCount = 0
    private var hasConnected = false

    /// - Parameters:
    ///   - setup: declares exchanges, queues and bindings on a fresh channel before consuming.
    ///   - onEvent: connection events, for logs and metrics; called on the owner's thread.
    public init(url: AMQPURL, queue: String, prefetch: UInt16, options: AMQPConnection.Options = .init(),
                backoff: Backoff = Backoff(), setup: @escaping (AMQPChannel) throws -> Void = { _ in },
                onEvent: @escaping (Event) -> Void = { _ in }) {
        self.url = url
        self.queue = queue
        self.prefetch = prefetch
        self.options = options
        self.backoff = backoff
        self.setup = setup
        self.onEvent = onEvent
    }

    deinit { close() }

    /// Connects now (with retries), so that configuration errors surface at start-up.
    public func start() throws { _ = try currentChannel() }

    /// The next delivery, or nil after `timeout` (or after a reconnect, so the caller can drop
    /// stale deliveries and loop). Throws non-retriable errors (bad credentials, missing
    /// permissions, a failing setup) and `.connectionClosed` once `stop()` was called.
    public func nextDelivery(timeout: Duration) throws -> AMQPDelivery? {
        let channel = try currentChannel()
        do {
            return try channel.nextDelivery(timeout: timeout)
        } catch let error as AMQPError {
            // Whatever closed the consuming channel (a lost connection, a cancelled consumer, a
            // 406 for a bad ack), consuming resumes on a fresh connection after backoff.
            drop(error)
            return nil
        }
    }

    /// Serves the connection's heartbeats without taking a delivery (`AMQPChannel.serviceConnection`);
    /// does nothing while disconnected. A failure drops the connection like `nextDelivery` does.
    public func serviceConnection() {
        guard let channel = consumerChannel, channel.isOpen else { return }
        do {
            try channel.serviceConnection()
        } catch let error as AMQPError {
            drop(error)
        } catch {
            drop(AMQPError(.connectionClosed, detail: "\(error)"))
        }
    }

    public func ack(_ delivery: AMQPDelivery, multiple: Bool = false) throws {
        try settle(delivery) { try $0.ack(delivery, multiple: multiple) }
    }

    public func nack(_ delivery: AMQPDelivery, multiple: Bool = false, requeue: Bool) throws {
        try settle(delivery) { try $0.nack(delivery, multiple: multiple, requeue: requeue) }
    }

    public func reject(_ delivery: AMQPDelivery, requeue: Bool) throws {
        try settle(delivery) { try $0.reject(delivery, requeue: requeue) }
    }

    /// A confirm-mode channel on the current connection (e.g. for dead-letter copies), opened on
    /// first use and replaced after a reconnect.
    public func publishingChannel() throws -> AMQPChannel {
        _ = try currentChannel()
        if let publisherChannel, publisherChannel.isOpen { return publisherChannel }
        guard let connection else { throw AMQPError(.connectionClosed, detail: "not connected") }
        let channel = try connection.openChannel()
        try channel.enableConfirms()
        publisherChannel = channel
        return channel
    }

    /// Ends the current or next backoff wait and makes every later call throw. Thread-safe.
    public func stop() { stopped.store(true, ordering: .relaxed) }

    public var isStopped: Bool { stopped.load(ordering: .relaxed) }

    /// Closes the connection (unacked deliveries return to the queue).
    public func close() {
        connection?.close()
        connection = nil
        consumerChannel = nil
        publisherChannel = nil
    }

    // MARK: - Connection management

    private func settle(_ delivery: AMQPDelivery, _ action: (AMQPChannel) throws -> Void) throws {
        guard let channel = consumerChannel, channel.isOpen, channel.identity == delivery.channelIdentity else {
            throw AMQPError(.staleDelivery, detail: "delivery \(delivery.deliveryTag) is from a lost connection",
                            isRetriable: false)
        }
        do {
            try action(channel)
        } catch let error as AMQPError where error.isRetriable {
            drop(error)
            throw error
        }
    }

    private func drop(_ error: AMQPError) {
        onEvent(.disconnected(error))
        close()
    }

    private func currentChannel() throws -> AMQPChannel {
        if let consumerChannel, consumerChannel.isOpen { return consumerChannel }
        close()
        let channel = try backoff.retrying(
            isStopped: { isStopped },
            onRetry: { attempt, delay, error in onEvent(.retrying(attempt: attempt, after: delay, error: error)) },
            {
                do { return try connectAndConsume() } catch {
                    close()
                    throw error
                }
            })
        if hasConnected { reconnectCount += 1 }
        hasConnected = true
        onEvent(.connected(reconnects: reconnectCount))
        return channel
    }

    private func connectAndConsume() throws -> AMQPChannel {
        let connection = try AMQPConnection(url: url, options: options)
        self.connection = connection
        let setupChannel = try connection.openChannel()
        try setup(setupChannel)
        setupChannel.close()
        let channel = try connection.openChannel()
        try channel.setPrefetch(prefetch)
        try channel.consume(queue: queue)
        consumerChannel = channel
        return channel
    }
}
