import CRabbitMQ

extension AMQPChannel {
    /// basic.qos: at most `count` unacked deliveries on this channel's consumers (0: no limit).
    public func setPrefetch(_ count: UInt16) throws {
        let raw = try live()
        _ = amqp_basic_qos(raw, state.number, 0, count, 0)
        try check("basic.qos")
    }

    /// Starts a consumer (manual acks unless `autoAck`); returns its consumer tag.
    @discardableResult
    public func consume(queue: String, consumerTag: String = "", autoAck: Bool = false, exclusive: Bool = false,
                        arguments: AMQPTable = [:]) throws -> String {
        try Self.checkName(queue, "queue")
        let raw = try live()
        let ok = CArena.with { arena in
            amqp_basic_consume(raw, state.number, arena.bytes(queue), arena.bytes(consumerTag), 0,
                               autoAck ? 1 : 0, exclusive ? 1 : 0, arena.table(arguments))
        }
        guard let ok else {
            try check("basic.consume \(queue)")
            throw AMQPError(.protocolError, detail: "basic.consume \(queue): no reply")
        }
        return ok.pointee.consumer_tag.swiftString
    }

    /// Stops a consumer. Deliveries already received stay pending and can still be read and acked.
    public func cancel(consumerTag: String) throws {
        let raw = try live()
        CArena.with { arena in _ = amqp_basic_cancel(raw, state.number, arena.bytes(consumerTag)) }
        try check("basic.cancel")
    }

    /// The next delivery for this channel's consumers, or nil when `timeout` passes first.
    ///
    /// Call it in a loop with a timeout below the heartbeat interval: heartbeats are only sent
    /// and checked while librabbitmq is inside a call like this one. Throws when the channel or
    /// connection closes, or `.consumerCancelled` when the broker cancelled a consumer.
    public func nextDelivery(timeout: Duration) throws -> AMQPDelivery? {
        let deadline = ContinuousClock.now.advanced(by: timeout)
        while true {
            if let delivery = state.dequeue() { return delivery }
            if let failure = state.failure { throw failure }
            if let tag = state.cancelledConsumers.first {
                state.cancelledConsumers.remove(tag)
                throw AMQPError(.consumerCancelled, detail: "broker cancelled consumer \(tag)")
            }
            if try !connection.pumpFrame(until: deadline) { return nil }
        }
    }

    /// Reads every frame that has arrived, without waiting (deliveries are kept for
    /// `nextDelivery`), so that librabbitmq, which sends and checks heartbeats only once its own
    /// buffer is empty and it goes back to the socket, gets there. For a consumer that must not
    /// take more deliveries now (a full batch waiting on its writer) but must keep its connection.
    public func serviceConnection() throws {
        while try connection.pumpFrame(until: .now) {}
    }

    /// Deliveries already read from the socket for this channel but not yet returned.
    public var bufferedDeliveryCount: Int { state.pendingCount }

    /// Acknowledges `deliveryTag` (and every earlier unacked one when `multiple`).
    public func ack(_ deliveryTag: UInt64, multiple: Bool = false) throws {
        let raw = try live()
        try sent(amqp_basic_ack(raw, state.number, deliveryTag, multiple ? 1 : 0), "basic.ack")
    }

    /// Negatively acknowledges; `requeue: false` dead-letters (or drops) the message(s).
    public func nack(_ deliveryTag: UInt64, multiple: Bool = false, requeue: Bool) throws {
        let raw = try live()
        try sent(amqp_basic_nack(raw, state.number, deliveryTag, multiple ? 1 : 0, requeue ? 1 : 0), "basic.nack")
    }

    /// Rejects one message; `requeue: false` dead-letters (or drops) it.
    public func reject(_ deliveryTag: UInt64, requeue: Bool) throws {
        let raw = try live()
        try sent(amqp_basic_reject(raw, state.number, deliveryTag, requeue ? 1 : 0), "basic.reject")
    }

    /// Acks a delivery, refusing one that came from another channel (`.staleDelivery`): its tag
    /// would ack an unrelated message here.
    public func ack(_ delivery: AMQPDelivery, multiple: Bool = false) throws {
        try requireOwn(delivery)
        try ack(delivery.deliveryTag, multiple: multiple)
    }

    public func nack(_ delivery: AMQPDelivery, multiple: Bool = false, requeue: Bool) throws {
        try requireOwn(delivery)
        try nack(delivery.deliveryTag, multiple: multiple, requeue: requeue)
    }

    public func reject(_ delivery: AMQPDelivery, requeue: Bool) throws {
        try requireOwn(delivery)
        try reject(delivery.deliveryTag, requeue: requeue)
    }

    func requireOwn(_ delivery: AMQPDelivery) throws {
        guard delivery.channelIdentity == state.identity else {
            throw AMQPError(.staleDelivery, detail: "delivery \(delivery.deliveryTag) is from another channel",
                            isRetriable: false)
        }
    }

    /// basic.get: one message from `queue`, or nil when it is empty. Unless `autoAck`, ack it
    /// with `ack(_:)` like a consumed delivery.
    public func get(queue: String, autoAck: Bool = false) throws -> AMQPDelivery? {
        try Self.checkName(queue, "queue")
        let raw = try live()
        let reply = CArena.with { arena in amqp_basic_get(raw, state.number, arena.bytes(queue), autoAck ? 1 : 0) }
        try connection.checkReply(reply, channel: state.number, context: "basic.get \(queue)")
        if reply.reply.id == Method.basicGetEmpty { return nil }
        guard reply.reply.id == Method.basicGetOk else {
            throw AMQPError(.protocolError, detail: "basic.get: unexpected method \(reply.reply.id)")
        }
        let ok = reply.reply.decoded.assumingMemoryBound(to: amqp_basic_get_ok_t.self).pointee
        let head = (ok.delivery_tag, ok.redelivered != 0, ok.exchange.swiftString, ok.routing_key.swiftString)
        let (properties, body) = try connection.readContent(channel: state.number, state: raw)
        amqp_maybe_release_buffers(raw)
        return AMQPDelivery(deliveryTag: head.0, redelivered: head.1, exchange: head.2, routingKey: head.3,
                            consumerTag: "", properties: properties, body: body, channelIdentity: state.identity)
    }

    private func sent(_ status: Int32, _ context: String) throws {
        guard status != 0 else { return }
        let error = AMQPConnection.libraryError(.connectionClosed, status, context)
        connection.fail(error)
        throw error
    }
}
