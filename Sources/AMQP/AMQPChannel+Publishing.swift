import CRabbitMQ

extension AMQPChannel {
    /// Puts the channel in confirm mode (confirm.select). From then on every `publish` is tracked
    /// until the broker acks or nacks it; `waitForConfirms` collects the outcome.
    public func enableConfirms() throws {
        guard state.confirms == nil else { return }
        let raw = try live()
        _ = amqp_confirm_select(raw, state.number)
        try check("confirm.select")
        state.confirms = ConfirmTracker()
    }

    public var confirmsEnabled: Bool { state.confirms != nil }

    /// Messages published but not yet acked or nacked by the broker.
    public var unconfirmedCount: Int { state.confirms?.outstandingCount ?? 0 }

    /// Publishes one message. With confirms enabled, returns its sequence number and, when
    /// `confirmWindow` messages are already unconfirmed, first reads broker confirms until there
    /// is room (this bounds memory and keeps heartbeats flowing). Without confirms returns 0.
    ///
    /// With `mandatory`, a message no queue accepts comes back (basic.return) and the next
    /// `waitForConfirms` throws `.unroutable`.
    @discardableResult
    public func publish(exchange: String, routingKey: String, body: some Collection<UInt8>,
                        properties: AMQPProperties = AMQPProperties(), mandatory: Bool = false,
                        confirmWindow: Int = 1000, timeout: Duration = .seconds(30)) throws -> UInt64 {
        try Self.checkName(exchange, "exchange")
        guard routingKey.utf8.count <= 255 else {
            throw AMQPError(.invalidArgument, detail: "routing key longer than 255 bytes")
        }
        if state.confirms != nil, unconfirmedCount >= max(confirmWindow, 1) {
            try waitUntilUnconfirmed(atMost: max(confirmWindow, 1) - 1, timeout: timeout)
        }
        let raw = try live()
        let status: Int32 = CArena.with { arena in
            var cProperties = properties.cProperties(in: arena)
            let exchangeBytes = arena.bytes(exchange), keyBytes = arena.bytes(routingKey)
            let send = { (bodyBytes: amqp_bytes_t) in
                amqp_basic_publish(raw, self.state.number, exchangeBytes, keyBytes, mandatory ? 1 : 0, 0,
                                   &cProperties, bodyBytes)
            }
            if let contiguous = body.withContiguousStorageIfAvailable({ buffer in
                send(amqp_bytes_t(len: buffer.count, bytes: UnsafeMutableRawPointer(mutating: buffer.baseAddress)))
            }) {
                return contiguous
            }
            return send(arena.bytes(Array(body)))
        }
        if status != 0 {
            let code: AMQPError.Code = status == AMQP_STATUS_HEARTBEAT_TIMEOUT.rawValue ? .heartbeatTimeout : .connectionClosed
            let error = AMQPConnection.libraryError(code, status, "basic.publish")
            connection.fail(error)
            throw error
        }
        return state.confirms?.recordPublish() ?? 0
    }

    /// Publishes a string body (UTF-8).
    @discardableResult
    public func publish(exchange: String, routingKey: String, body: String,
                        properties: AMQPProperties = AMQPProperties(), mandatory: Bool = false) throws -> UInt64 {
        try publish(exchange: exchange, routingKey: routingKey, body: Array(body.utf8), properties: properties,
                    mandatory: mandatory)
    }

    /// Waits until the broker has acked or nacked every message published so far.
    /// Throws `.publishNacked` when any was nacked and `.unroutable` when a mandatory message
    /// was returned since the last call (the error's detail lists the sequence numbers): the
    /// caller republishes what it needs. `.timeout` leaves the outstanding ones tracked.
    public func waitForConfirms(timeout: Duration = .seconds(30)) throws {
        let settled = try settleConfirms(timeout: timeout)
        if !settled.nacked.isEmpty {
            throw AMQPError(.publishNacked, detail: "broker nacked sequence numbers \(settled.nacked.sorted().prefix(20))")
        }
        if let first = settled.returned.first {
            throw AMQPError(.unroutable, replyCode: first.replyCode,
                            detail: "\(settled.returned.count) returned: \(first.replyText) (\(first.exchange) \(first.routingKey))")
        }
    }

    /// What the broker did with the messages published since the last settlement.
    public struct ConfirmSettlement: Sendable {
        /// Sequence numbers (as `publish` returned them) the broker nacked.
        public var nacked: Set<UInt64>
        /// Mandatory messages it could not route (it confirms them all the same).
        public var returned: [AMQPReturnedMessage]
    }

    /// Waits like `waitForConfirms`, but reports nacks and returns instead of throwing them, so
    /// that a caller can set aside what failed and keep the rest. `.timeout` and connection
    /// failures are still thrown.
    public func settleConfirms(timeout: Duration = .seconds(30)) throws -> ConfirmSettlement {
        guard state.confirms != nil else {
            throw AMQPError(.invalidArgument, detail: "confirms were not enabled on this channel", isRetriable: false)
        }
        try waitUntilUnconfirmed(atMost: 0, timeout: timeout)
        let nacked = Set(state.confirms?.takeFailures() ?? [])
        defer { state.returned.removeAll() }
        return ConfirmSettlement(nacked: nacked, returned: state.returned)
    }

    /// Mandatory messages returned since the last `waitForConfirms` or call of this method.
    public func takeReturnedMessages() -> [AMQPReturnedMessage] {
        defer { state.returned.removeAll() }
        return state.returned
    }

    private func waitUntilUnconfirmed(atMost limit: Int, timeout: Duration) throws {
        let deadline = ContinuousClock.now.advanced(by: timeout)
        while unconfirmedCount > limit {
            if let failure = state.failure { throw failure }
            if try !connection.pumpFrame(until: deadline) {
                throw AMQPError(.timeout, detail: "\(unconfirmedCount) publishes unconfirmed after \(timeout)")
            }
        }
    }
}
