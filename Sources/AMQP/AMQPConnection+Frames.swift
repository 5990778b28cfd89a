import CRabbitMQ
#if canImport(Glibc)
import Glibc
#endif

/// What the connection knows about one open channel. Frames that arrive while another channel
/// is waiting (deliveries, confirms, returns, closes) are routed here and picked up later.
final class ChannelState {
    let number: UInt16
    let identity: UInt64
    var failure: AMQPError?
    private var pending: [AMQPDelivery] = []
    private var pendingHead = 0
    var confirms: ConfirmTracker?
    var returned: [AMQPReturnedMessage] = []
    var cancelledConsumers: Set<String> = []

    init(number: UInt16, identity: UInt64) {
        self.number = number
        self.identity = identity
    }

    func enqueue(_ delivery: AMQPDelivery) { pending.append(delivery) }

    func dequeue() -> AMQPDelivery? {
        guard pendingHead < pending.count else { return nil }
        let delivery = pending[pendingHead]
        pendingHead += 1
        if pendingHead == pending.count {
            pending.removeAll(keepingCapacity: true)
            pendingHead = 0
        } else if pendingHead > 4096 {
            pending.removeFirst(pendingHead)
            pendingHead = 0
        }
        return delivery
    }

    var pendingCount: Int { pending.count - pendingHead }
}

extension AMQPConnection {
    /// Reads one frame (waiting at most until `deadline`) and routes it to its channel.
    /// Returns false when the deadline passed without a frame. Heartbeats are sent and checked
    /// by librabbitmq inside this wait.
    func pumpFrame(until deadline: ContinuousClock.Instant) throws -> Bool {
        let state = try liveState()
        var frame = amqp_frame_t()
        var wait = timeval(ContinuousClock.now.duration(to: deadline))
        let status = amqp_simple_wait_frame_noblock(state, &frame, &wait)
        if status == AMQP_STATUS_TIMEOUT.rawValue { return false }
        if status != 0 {
            let code: AMQPError.Code = status == AMQP_STATUS_HEARTBEAT_TIMEOUT.rawValue ? .heartbeatTimeout : .connectionClosed
            let error = Self.libraryError(code, status, "waiting for a frame")
            fail(error)
            throw error
        }
        defer { amqp_maybe_release_buffers(state) }
        guard frame.frame_type == 1 else { return true } // AMQP_FRAME_METHOD; stray header/body frames are dropped
        try route(method: frame.payload.method, channel: frame.channel, state: state)
        return true
    }

    private func route(method: amqp_method_t, channel number: UInt16, state: amqp_connection_state_t) throws {
        let channel = channels[number]
        switch method.id {
        case Method.basicDeliver:
            let deliver = method.decoded.assumingMemoryBound(to: amqp_basic_deliver_t.self).pointee
            let head = (deliver.delivery_tag, deliver.redelivered != 0, deliver.exchange.swiftString,
                        deliver.routing_key.swiftString, deliver.consumer_tag.swiftString)
            let (properties, body) = try readContent(channel: number, state: state)
            channel?.enqueue(AMQPDelivery(
                deliveryTag: head.0, redelivered: head.1, exchange: head.2, routingKey: head.3,
                consumerTag: head.4, properties: properties, body: body, channelIdentity: channel?.identity ?? 0))
        case Method.basicAck:
            let ack = method.decoded.assumingMemoryBound(to: amqp_basic_ack_t.self).pointee
            channel?.confirms?.settle(ack.delivery_tag, multiple: ack.multiple != 0, isAck: true)
        case Method.basicNack:
            let nack = method.decoded.assumingMemoryBound(to: amqp_basic_nack_t.self).pointee
            channel?.confirms?.settle(nack.delivery_tag, multiple: nack.multiple != 0, isAck: false)
        case Method.basicReturn:
            let ret = method.decoded.assumingMemoryBound(to: amqp_basic_return_t.self).pointee
            let head = (ret.reply_code, ret.reply_text.swiftString, ret.exchange.swiftString, ret.routing_key.swiftString)
            let (properties, body) = try readContent(channel: number, state: state)
            channel?.returned.append(AMQPReturnedMessage(
                replyCode: head.0, replyText: head.1, exchange: head.2, routingKey: head.3,
                properties: properties, body: body))
        case Method.basicCancel:
            let cancel = method.decoded.assumingMemoryBound(to: amqp_basic_cancel_t.self).pointee
            channel?.cancelledConsumers.insert(cancel.consumer_tag.swiftString)
        case Method.channelClose:
            let close = method.decoded.assumingMemoryBound(to: amqp_channel_close_t.self).pointee
            handleChannelClose(close, channel: number, state: state)
        case Method.connectionClose:
            let close = method.decoded.assumingMemoryBound(to: amqp_connection_close_t.self).pointee
            throw handleConnectionClose(close, state: state)
        case Method.connectionBlocked:
            isBlocked = true
        case Method.connectionUnblocked:
            isBlocked = false
        default:
            break
        }
    }

    /// Reads the header and body frames that follow basic.deliver, basic.return or basic.get-ok.
    func readContent(channel: UInt16, state: amqp_connection_state_t) throws -> (AMQPProperties, [UInt8]) {
        var message = amqp_message_t()
        let reply = amqp_read_message(state, channel, &message, 0)
        guard reply.reply_type == AMQP_RESPONSE_NORMAL else {
            try checkReply(reply, channel: channel, context: "reading message content")
            throw AMQPError(.protocolError, detail: "reading message content failed")
        }
        defer { amqp_destroy_message(&message) }
        return (AMQPProperties(message.properties), message.body.swiftBytes)
    }

    /// Converts a non-normal RPC reply into an error, answering broker closes with close-ok and
    /// marking the channel or connection as failed.
    func checkReply(_ reply: amqp_rpc_reply_t, channel number: UInt16, context: String) throws {
        guard let state else { throw AMQPError(.connectionClosed, detail: "\(context): connection destroyed") }
        switch reply.reply_type {
        case AMQP_RESPONSE_NORMAL:
            return
        case AMQP_RESPONSE_SERVER_EXCEPTION where reply.reply.id == Method.channelClose:
            let close = reply.reply.decoded.assumingMemoryBound(to: amqp_channel_close_t.self).pointee
            throw handleChannelClose(close, channel: number, state: state)
        case AMQP_RESPONSE_SERVER_EXCEPTION where reply.reply.id == Method.connectionClose:
            let close = reply.reply.decoded.assumingMemoryBound(to: amqp_connection_close_t.self).pointee
            throw handleConnectionClose(close, state: state)
        case AMQP_RESPONSE_LIBRARY_EXCEPTION:
            let status = reply.library_error
            let code: AMQPError.Code = switch status {
            case AMQP_STATUS_TIMEOUT.rawValue: .timeout
            case AMQP_STATUS_HEARTBEAT_TIMEOUT.rawValue: .heartbeatTimeout
            default: .connectionClosed
            }
            // After a library failure the stream position is unknown: the connection is done.
            let error = Self.libraryError(code, status, context)
            fail(error)
            throw error
        default:
            let error = AMQPError(.protocolError, detail: "\(context): unexpected reply \(reply.reply_type.rawValue)")
            fail(error)
            throw error
        }
    }

    @discardableResult
    private func handleChannelClose(_ close: amqp_channel_close_t, channel number: UInt16,
                                    state: amqp_connection_state_t) -> AMQPError {
        let error = AMQPError.brokerClose(replyCode: close.reply_code, text: close.reply_text.swiftString,
                                          connectionLevel: false)
        var closeOk = amqp_channel_close_ok_t(dummy: 0)
        _ = amqp_send_method(state, number, Method.channelCloseOk, &closeOk)
        if let channel = channels.removeValue(forKey: number) { channel.failure = error }
        return error
    }

    private func handleConnectionClose(_ close: amqp_connection_close_t, state: amqp_connection_state_t) -> AMQPError {
        let error = AMQPError.brokerClose(replyCode: close.reply_code, text: close.reply_text.swiftString,
                                          connectionLevel: true)
        var closeOk = amqp_connection_close_ok_t(dummy: 0)
        _ = amqp_send_method(state, 0, Method.connectionCloseOk, &closeOk)
        // A connection-level close always ends the connection, whatever the reply code says.
        let fatal = error.closesConnection ? error
            : AMQPError(.connectionClosed, replyCode: error.replyCode, detail: error.detail)
        fail(fatal)
        return fatal
    }
}
