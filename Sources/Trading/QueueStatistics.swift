import AMQP
import Observability
import Synchronization

/// Depth and consumers of the enabled organisations' queues as the broker reports them (a passive
/// `queue.declare` per queue, on a short-lived connection), shared by `/metrics` and the status
/// page. A sample is reused for `minimumInterval`, so scrapes and page views cost the broker at
/// most one round of declares per interval; queues of every replica's consumers are counted.
public final class QueueStatistics: Sendable {
    public struct Queue: Sendable, Equatable {
        /// The organisation's queue prefix.
        public let prefix: String
        public let name: String
        /// Messages ready for delivery (not counting those delivered and not yet acknowledged).
        public let messages: Int
        public let consumers: Int
        public var isDeadLetterQueue: Bool { name.hasSuffix(".dlq") }

        public init(prefix: String, name: String, messages: Int, consumers: Int) {
            self.prefix = prefix
            self.name = name
            self.messages = messages
            self.consumers = consumers
        }
    }

    /// A sample: the queues found, and the broker's error when it could not be asked.
    public struct Sample: Sendable {
        public let queues: [Queue]
        public let error: String?
        public let takenAt: ContinuousClock.Instant

        public init(queues: [Queue], error: String?, takenAt: ContinuousClock.Instant) {
            self.queues = queues
            self.error = error
            self.takenAt = takenAt
        }
    }

    private let url: AMQPURL
    private let topologies: @Sendable () throws -> [TradingTopology]
    private let minimumInterval: Duration
    private let last = Mutex<Sample?>(nil)
    /// Held while a sample is taken, so concurrent callers wait for one round instead of each starting one.
    private let sampling = Mutex(())

    /// - Parameter topologies: the organisations whose queues to count (read at each sample).
    public init(url: AMQPURL, minimumInterval: Duration = .seconds(5), topologies: @escaping @Sendable () throws -> [TradingTopology]) {
        self.url = url
        self.minimumInterval = minimumInterval
        self.topologies = topologies
    }

    /// The latest sample, taken now when the previous one is older than `minimumInterval`.
    public func sample() -> Sample {
        sampling.withLock { _ in
            if let last = last.withLock({ $0 }), ContinuousClock.now - last.takenAt < minimumInterval { return last }
            let fresh = take()
            last.withLock { $0 = fresh }
            return fresh
        }
    }

    private func take() -> Sample {
        let now = ContinuousClock.now
        do {
            let wanted = try topologies().flatMap { topology in topology.allQueueNames.map { (topology.queuePrefix, $0) } }
            guard !wanted.isEmpty else { return Sample(queues: [], error: nil, takenAt: now) }
            var options = AMQPConnection.Options(heartbeat: .zero, connectTimeout: .seconds(2), rpcTimeout: .seconds(5))
            options.connectionName = "tradingd queue statistics"
            let connection = try AMQPConnection(url: url, options: options)
            defer { connection.close() }
            var channel = try connection.openChannel()
            var queues: [Queue] = []
            for (prefix, name) in wanted {
                do {
                    let info = try channel.declareQueuePassive(name)
                    queues.append(Queue(prefix: prefix, name: name, messages: Int(info.messageCount), consumers: Int(info.consumerCount)))
                } catch let error as AMQPError where error.code == .notFound {
                    channel = try connection.openChannel()  // the 404 closed the channel; the queue is absent
                }
            }
            return Sample(queues: queues, error: nil, takenAt: now)
        } catch {
            return Sample(queues: [], error: String(describing: error), takenAt: now)
        }
    }

    /// `tradingd_broker_queue_messages{organization,queue}`, `tradingd_broker_queue_consumers{...}`
    /// and `tradingd_broker_up` (0 when the last sample could not reach the broker).
    public func install(on registry: MetricsRegistry) {
        registry.register("tradingd_broker_queue_messages", kind: .gauge, help: "Messages ready in each queue, as the broker reports them.")
        registry.register("tradingd_broker_queue_consumers", kind: .gauge, help: "Consumers of each queue, every replica's included.")
        registry.register("tradingd_broker_up", kind: .gauge, help: "Whether the last queue sample reached the broker (1) or not (0).")
        registry.addCollector { [self] registry in
            let sample = sample()
            let labelled = sample.queues.map { (["organization": $0.prefix, "queue": $0.name], $0) }
            registry.replaceAll("tradingd_broker_queue_messages", with: labelled.map { ($0.0, Double($0.1.messages)) })
            registry.replaceAll("tradingd_broker_queue_consumers", with: labelled.map { ($0.0, Double($0.1.consumers)) })
            registry.set("tradingd_broker_up", to: sample.error == nil ? 1 : 0)
        }
    }
}
