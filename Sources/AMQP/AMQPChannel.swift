import CRabbitMQ

/// A channel of an `AMQPConnection`; shares its connection's single-owner invariant.
///
/// Topology, publishing (`AMQPChannel+Publishing.swift`) and consuming
/// (`AMQPChannel+Consuming.swift`) live here. After the broker closes the channel (e.g. a 404
/// from a passive declare) every call throws that error: open a new channel.
public final class AMQPChannel: @unchecked Sendable {
    public let connection: AMQPConnection
    let state: ChannelState

    init(connection: AMQPConnection, state: ChannelState) {
        self.connection = connection
        self.state = state
    }

    public var number: UInt16 { state.number }
    /// Unique per channel instance (across connections); deliveries carry it.
    public var identity: UInt64 { state.identity }
    public var isOpen: Bool { state.failure == nil && connection.isOpen }

    /// The connection state, or the error that ended this channel or its connection.
    func live() throws -> amqp_connection_state_t {
        if let failure = state.failure { throw failure }
        return try connection.liveState()
    }

    func check(_ context: String) throws {
        try connection.checkReply(amqp_get_rpc_reply(try live()), channel: state.number, context: context)
    }

    /// Closes the channel politely. Idempotent.
    public func close() {
        guard state.failure == nil, let raw = try? connection.liveState() else { return }
        let reply = amqp_channel_close(raw, state.number, 200)
        state.failure = AMQPError(.channelClosed, detail: "channel closed by its owner")
        connection.channels[state.number] = nil
        if reply.reply_type != AMQP_RESPONSE_NORMAL {
            try? connection.checkReply(reply, channel: state.number, context: "channel.close")
        }
    }

    static func checkName(_ name: String, _ what: String) throws {
        guard name.utf8.count <= 255 else {
            throw AMQPError(.invalidArgument, detail: "\(what) name longer than 255 bytes")
        }
    }

    // MARK: - Topology

    public enum ExchangeType: String, Sendable {
        case direct, fanout, topic, headers
    }

    public func declareExchange(_ name: String, type: ExchangeType = .topic, durable: Bool = true,
                                autoDelete: Bool = false, `internal`: Bool = false,
                                arguments: AMQPTable = [:]) throws {
        try Self.checkName(name, "exchange")
        let raw = try live()
        CArena.with { arena in
            _ = amqp_exchange_declare(raw, state.number, arena.bytes(name), arena.bytes(type.rawValue), 0,
                                      durable ? 1 : 0, autoDelete ? 1 : 0, `internal` ? 1 : 0, arena.table(arguments))
        }
        try check("exchange.declare \(name)")
    }

    /// Throws `.notFound` (and closes this channel) when the exchange does not exist.
    public func declareExchangePassive(_ name: String) throws {
        try Self.checkName(name, "exchange")
        let raw = try live()
        CArena.with { arena in
            _ = amqp_exchange_declare(raw, state.number, arena.bytes(name), arena.bytes("topic"), 1, 0, 0, 0,
                                      amqp_table_t(num_entries: 0, entries: nil))
        }
        try check("exchange.declare passive \(name)")
    }

    public func deleteExchange(_ name: String, ifUnused: Bool = false) throws {
        try Self.checkName(name, "exchange")
        let raw = try live()
        CArena.with { arena in
            _ = amqp_exchange_delete(raw, state.number, arena.bytes(name), ifUnused ? 1 : 0)
        }
        try check("exchange.delete \(name)")
    }

    public struct QueueInfo: Sendable, Equatable {
        public let name: String
        /// Ready messages (not counting unacked ones).
        public let messageCount: UInt32
        public let consumerCount: UInt32
    }

    /// Declares a queue. An empty name asks the broker for a generated one (returned).
    /// Arguments such as `x-queue-type: quorum` or `x-dead-letter-exchange`: see `AMQPTable`.
    @discardableResult
    public func declareQueue(_ name: String, durable: Bool = true, exclusive: Bool = false,
                             autoDelete: Bool = false, arguments: AMQPTable = [:]) throws -> QueueInfo {
        try declareQueue(name, passive: false, durable: durable, exclusive: exclusive, autoDelete: autoDelete,
                         arguments: arguments)
    }

    /// Counts of an existing queue. Throws `.notFound` (and closes this channel) when it does
    /// not exist.
    public func declareQueuePassive(_ name: String) throws -> QueueInfo {
        try declareQueue(name, passive: true, durable: false, exclusive: false, autoDelete: false, arguments: [:])
    }

    private func declareQueue(_ name: String, passive: Bool, durable: Bool, exclusive: Bool, autoDelete: Bool,
                              arguments: AMQPTable) throws -> QueueInfo {
        try Self.checkName(name, "queue")
        let raw = try live()
        let ok = CArena.with { arena in
            amqp_queue_declare(raw, state.number, arena.bytes(name), passive ? 1 : 0, durable ? 1 : 0,
                               exclusive ? 1 : 0, autoDelete ? 1 : 0, arena.table(arguments))
        }
        guard let ok else {
            try check("queue.declare \(name)")
            throw AMQPError(.protocolError, detail: "queue.declare \(name): no reply")
        }
        let info = QueueInfo(name: ok.pointee.queue.swiftString, messageCount: ok.pointee.message_count,
                             consumerCount: ok.pointee.consumer_count)
        amqp_maybe_release_buffers(raw)
        return info
    }

    public func bindQueue(_ queue: String, exchange: String, routingKey: String, arguments: AMQPTable = [:]) throws {
        try Self.checkName(queue, "queue")
        let raw = try live()
        CArena.with { arena in
            _ = amqp_queue_bind(raw, state.number, arena.bytes(queue), arena.bytes(exchange),
                                arena.bytes(routingKey), arena.table(arguments))
        }
        try check("queue.bind \(queue)")
    }

    public func unbindQueue(_ queue: String, exchange: String, routingKey: String, arguments: AMQPTable = [:]) throws {
        try Self.checkName(queue, "queue")
        let raw = try live()
        CArena.with { arena in
            _ = amqp_queue_unbind(raw, state.number, arena.bytes(queue), arena.bytes(exchange),
                                  arena.bytes(routingKey), arena.table(arguments))
        }
        try check("queue.unbind \(queue)")
    }

    /// Removes ready messages; returns how many.
    @discardableResult
    public func purgeQueue(_ name: String) throws -> UInt32 {
        try Self.checkName(name, "queue")
        let raw = try live()
        let ok = CArena.with { arena in amqp_queue_purge(raw, state.number, arena.bytes(name)) }
        guard let ok else {
            try check("queue.purge \(name)")
            throw AMQPError(.protocolError, detail: "queue.purge \(name): no reply")
        }
        return ok.pointee.message_count
    }

    /// Deletes a queue; returns how many messages it held. Deleting a missing queue succeeds.
    @discardableResult
    public func deleteQueue(_ name: String, ifUnused: Bool = false, ifEmpty: Bool = false) throws -> UInt32 {
        try Self.checkName(name, "queue")
        let raw = try live()
        let ok = CArena.with { arena in
            amqp_queue_delete(raw, state.number, arena.bytes(name), ifUnused ? 1 : 0, ifEmpty ? 1 : 0)
        }
        guard let ok else {
            try check("queue.delete \(name)")
            throw AMQPError(.protocolError, detail: "queue.delete \(name): no reply")
        }
        return ok.pointee.message_count
    }
}
