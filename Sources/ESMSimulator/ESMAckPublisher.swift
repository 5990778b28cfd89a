import AMQP
import Foundation
import Observability
import Timekeeping
import TradingCore

/// Publishes the simulator's command acknowledgements, each when it falls due, from one thread
/// that owns the AMQP connection (librabbitmq connections are single-owner). Publishing uses
/// confirms and reconnects (`ReconnectingPublisher`); without a broker URL the acks are only kept
/// in memory.
final class ESMAckPublisher: @unchecked Sendable {
    // Invariant for @unchecked Sendable: `pending`, `published` and `stopped` are touched only
    // while holding `condition`; `publisher` only on the publishing thread (and in `stop` after
    // that thread ended).
    struct Pending {
        let due: UInt64
        let routingKey: String
        let ack: ESMCommandAck
    }

    private let condition = NSCondition()
    private var pending: [Pending] = []
    private var published: [(routingKey: String, ack: ESMCommandAck)] = []
    private var stopped = false
    private var inFlight = 0
    private let exchange: String
    private let publisher: ReconnectingPublisher?
    private let logger: Logger
    private let finished = DispatchSemaphore(value: 0)
    private var thread: Thread?

    init(amqpURL: String?, exchange: String, logger: Logger) throws {
        self.exchange = exchange
        self.logger = logger
        if let amqpURL {
            let url = try AMQPURL(amqpURL)
            publisher = ReconnectingPublisher(url: url, options: .init(connectionName: "esm-sim"),
                                              backoff: Backoff(initial: .milliseconds(100), maximum: .seconds(2)),
                                              setup: { channel in try channel.declareExchange(exchange, type: .topic, durable: true) })
        } else {
            publisher = nil
        }
    }

    func start() throws {
        try publisher?.start()
        let thread = Thread { [self] in run() }
        thread.name = "esm-sim-acks"
        self.thread = thread
        thread.start()
    }

    func stop() {
        condition.lock()
        let wasRunning = thread != nil && !stopped
        stopped = true
        condition.broadcast()
        condition.unlock()
        publisher?.stop()
        if wasRunning { finished.wait() }
        publisher?.close()
    }

    /// Queues `ack` for `routingKey`, to go out `after` from now.
    func enqueue(_ ack: ESMCommandAck, routingKey: String, after delay: Duration) {
        let nanos = UInt64(delay.wholeNanoseconds)
        condition.lock()
        pending.append(Pending(due: DispatchTime.now().uptimeNanoseconds + nanos, routingKey: routingKey, ack: ack))
        condition.broadcast()
        condition.unlock()
    }

    /// Acks published (or, without a broker, recorded) so far, in order.
    var publishedAcks: [(routingKey: String, ack: ESMCommandAck)] {
        condition.lock()
        defer { condition.unlock() }
        return published
    }

    /// Waits until nothing is pending or in flight, at most `timeout`.
    func waitUntilIdle(timeout: Duration) -> Bool {
        let limit = Date().addingTimeInterval(timeout.inSeconds)
        condition.lock()
        defer { condition.unlock() }
        while !pending.isEmpty || inFlight > 0 {
            if !condition.wait(until: limit) { return false }
        }
        return true
    }

    private func run() {
        defer { finished.signal() }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        while true {
            condition.lock()
            var batch: [Pending] = []
            while batch.isEmpty {
                if stopped { condition.unlock(); return }
                let now = DispatchTime.now().uptimeNanoseconds
                batch = pending.filter { $0.due <= now }
                if !batch.isEmpty {
                    pending.removeAll { $0.due <= now }
                    break
                }
                if let next = pending.map(\.due).min() {
                    _ = condition.wait(until: Date().addingTimeInterval(Double(next - now) / 1e9))
                } else {
                    condition.wait()
                }
            }
            batch.sort { $0.due < $1.due }
            inFlight = batch.count
            condition.unlock()

            var sent: [Pending] = []
            do {
                let messages = try batch.map { item in
                    AMQPOutgoingMessage(exchange: exchange, routingKey: item.routingKey, body: Array(try encoder.encode(item.ack)),
                                        properties: AMQPProperties(contentType: "application/json", correlationId: item.ack.correlationId))
                }
                try publisher?.publish(messages)
                sent = batch
            } catch {
                logger.error("esm-sim could not publish acknowledgements", ["error": String(describing: error), "count": String(batch.count)])
            }
            condition.lock()
            published += sent.map { ($0.routingKey, $0.ack) }
            inFlight = 0
            condition.broadcast()
            condition.unlock()
        }
    }
}
