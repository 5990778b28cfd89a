import TradingCore

/// Tuning and policy of the telemetry and meter consumers. Defaults suit one modest host.
public struct IngestOptions: Sendable {
    /// Unacknowledged deliveries the broker may have in flight per consumer (basic.qos). Larger
    /// than a batch, so that the broker keeps sending the next batch while one is being written.
    public var prefetch: UInt16 = 10_000
    /// A batch closes once it holds this many deliveries.
    public var maximumBatchDeliveries = 5000
    /// How long a consumer keeps gathering deliveries after the first of a batch arrived.
    public var linger: Duration = .milliseconds(10)
    /// A batch closes once it holds this many rows (samples or readings), even within the linger.
    public var maximumBatchRows = 20_000
    /// Rows per ingest statement; a larger batch is written as several statements in one transaction.
    public var maximumRowsPerStatement = 10_000
    /// Competing consumers (threads, each with its own connections) per queue.
    public var consumersPerQueue = 1
    /// First and longest wait between retries while PostgreSQL or RabbitMQ is unavailable.
    public var initialBackoff: Duration = .milliseconds(200)
    public var maximumBackoff: Duration = .seconds(10)
    /// The AMQP heartbeat asked of the broker; the consumer reads from the broker at least every
    /// `heartbeat / 4` (at most every second), even while a full batch waits on the writer.
    public var heartbeat: Duration = .seconds(30)
    /// How often a batch whose halves PostgreSQL refuses with the same SQLSTATE is retried whole
    /// before it is bisected all the way (`Messaging.Bisection`, docs/RELIABILITY.md item 1).
    public var commonRefusalRetries = 5
    /// How long a known plant stays in the cache before it is checked again.
    public var plantCacheTTL: Duration = .seconds(60)
    /// Decoding rules (future-time skew, meter id length).
    public var validation = TelemetryValidationRules.standard
    /// Declare the queues consumed (and their `.dlq`) as durable quorum queues before consuming.
    /// For local runs and tests; in production enabling an organisation declares them (issue 6).
    public var declareQueues = false
    /// The topic exchange partners publish to; used only when `declareQueues` binds the queues.
    public var exchange = "trading"

    public init() {}
}

/// Raw-data retention and partition upkeep (DESIGN §5).
public struct TelemetryRetention: Sendable, Equatable {
    /// Raw samples and readings older than this many days are dropped (whole daily partitions).
    public var rawDays: Int
    /// 1-minute aggregates are kept this many days.
    public var aggregateDays: Int
    /// Daily partitions are created this many days ahead of today.
    public var partitionsAhead: Int
    /// How often the maintainer runs.
    public var interval: Duration

    public init(rawDays: Int = 30, aggregateDays: Int = 400, partitionsAhead: Int = 3, interval: Duration = .seconds(3600)) {
        self.rawDays = rawDays
        self.aggregateDays = aggregateDays
        self.partitionsAhead = partitionsAhead
        self.interval = interval
    }
}

/// The inbound queue families this ingest consumes, with their queue name suffix.
public enum IngestQueueKind: String, Sendable, CaseIterable {
    case telemetry
    case meters

    public func queueName(prefix: String) -> String { "\(prefix).\(rawValue)" }
    public func deadLetterQueueName(prefix: String) -> String { "\(prefix).\(rawValue).dlq" }
}
