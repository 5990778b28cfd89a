import Observability
import Synchronization
import Timekeeping
import TradingCore

/// Counters of the ingest pipeline, shared by every consumer; read by the metrics endpoint.
public final class IngestMetrics: Sendable {
    /// A consistent-enough copy of the counters (each read atomically).
    public struct Snapshot: Sendable, Equatable {
        /// Rows newly stored, per queue kind.
        public var stored: [IngestQueueKind: Int]
        /// Rows that were already stored (redelivered or republished), per queue kind.
        public var duplicates: [IngestQueueKind: Int]
        /// Elements dead-lettered, per queue kind and rejection kind.
        public var deadLettered: [IngestQueueKind: [TelemetryRejection.Kind: Int]]
        /// Deliveries acknowledged after their batch committed.
        public var deliveriesAcked: Int
        public var batches: Int
        /// Sum and maximum of batch latency (first delivery of a batch to its ack), seconds.
        public var batchSecondsTotal: Double
        public var batchSecondsMaximum: Double
        /// Database or broker failures that made a consumer back off.
        public var retries: Int
        /// Batches split because PostgreSQL refused a row permanently.
        public var bisections: Int
        /// Dead letters that needed a fallback (their `.dlq` declared again, a minimal letter, or
        /// the original rejected to the broker's dead-letter exchange).
        public var deadLetterFallbacks: Int
        /// Broker connections replaced after a failure (each redelivers what was unacked), also
        /// `tradingd_amqp_reconnects_total{component="ingest"}`.
        public var reconnects: Int
        /// When the first delivery of the first batch arrived, and when the latest batch committed
        /// (the span a throughput figure is measured over).
        public var firstDeliveryAt: ContinuousClock.Instant?
        public var lastCommitAt: ContinuousClock.Instant?
    }

    private struct State {
        var stored: [IngestQueueKind: Int] = [:]
        var duplicates: [IngestQueueKind: Int] = [:]
        var deadLettered: [IngestQueueKind: [TelemetryRejection.Kind: Int]] = [:]
        var deliveriesAcked = 0
        var batches = 0
        var batchSecondsTotal = 0.0
        var batchSecondsMaximum = 0.0
        var retries = 0
        var bisections = 0
        var deadLetterFallbacks = 0
        var reconnects = 0
        var firstDeliveryAt: ContinuousClock.Instant?
        var lastCommitAt: ContinuousClock.Instant?
        /// Per consumer, when its oldest delivery not yet acknowledged arrived.
        var oldestUnacked: [ObjectIdentifier: ContinuousClock.Instant] = [:]
    }

    private let state = Mutex(State())
    /// Where latencies and batch sizes also go as they are observed, once `install(on:)` ran.
    private let registry = Mutex<MetricsRegistry?>(nil)
    /// Rows per batch: the consumer closes a batch at 5,000 deliveries or 20,000 rows.
    static let batchRowBuckets: [Double] = [1, 10, 50, 100, 500, 1_000, 2_500, 5_000, 10_000, 20_000]

    public init() {}

    public func snapshot() -> Snapshot {
        state.withLock { s in
            Snapshot(stored: s.stored, duplicates: s.duplicates, deadLettered: s.deadLettered,
                     deliveriesAcked: s.deliveriesAcked, batches: s.batches, batchSecondsTotal: s.batchSecondsTotal,
                     batchSecondsMaximum: s.batchSecondsMaximum, retries: s.retries, bisections: s.bisections,
                     deadLetterFallbacks: s.deadLetterFallbacks, reconnects: s.reconnects, firstDeliveryAt: s.firstDeliveryAt, lastCommitAt: s.lastCommitAt)
        }
    }

    func recordBatch(kind: IngestQueueKind, stored: Int, duplicates: Int, deliveries: Int,
                     receivedAt: ContinuousClock.Instant, committedAt: ContinuousClock.Instant) {
        let seconds = (ContinuousClock.now - receivedAt).inSeconds
        state.withLock { s in
            s.firstDeliveryAt = min(s.firstDeliveryAt ?? receivedAt, receivedAt)
            s.lastCommitAt = max(s.lastCommitAt ?? committedAt, committedAt)
            s.stored[kind, default: 0] += stored
            s.duplicates[kind, default: 0] += duplicates
            s.deliveriesAcked += deliveries
            s.batches += 1
            s.batchSecondsTotal += seconds
            s.batchSecondsMaximum = max(s.batchSecondsMaximum, seconds)
        }
        if let registry = registry.withLock({ $0 }) {
            let labels = ["queue": kind.rawValue]
            registry.observe("tradingd_ingest_commit_latency_seconds", (committedAt - receivedAt) / Duration.seconds(1), labels: labels)
            registry.observe("tradingd_ingest_batch_rows", Double(stored + duplicates), labels: labels)
        }
    }

    /// A consumer's oldest unacknowledged delivery arrived at `oldest` (nil: it holds none).
    func noteUnacknowledged(consumer: ObjectIdentifier, oldest: ContinuousClock.Instant?) {
        state.withLock { $0.oldestUnacked[consumer] = oldest }
    }

    /// Seconds since the oldest delivery that some consumer holds unacknowledged arrived (0 when none).
    public func oldestUnacknowledgedAge(now: ContinuousClock.Instant = .now) -> Double {
        guard let oldest = state.withLock({ $0.oldestUnacked.values.min() }) else { return 0 }
        return max((now - oldest) / Duration.seconds(1), 0)
    }

    /// A consumer replaced its lost broker connection.
    func recordReconnect() { state.withLock { $0.reconnects += 1 } }

    func recordDeadLettered(kind: IngestQueueKind, reason: TelemetryRejection.Kind, count: Int = 1) {
        state.withLock { $0.deadLettered[kind, default: [:]][reason, default: 0] += count }
    }

    func recordRetry() { state.withLock { $0.retries += 1 } }
    func recordBisection() { state.withLock { $0.bisections += 1 } }
    func recordDeadLetterFallbacks(_ count: Int) { state.withLock { $0.deadLetterFallbacks += count } }

    /// Exposes the pipeline on `/metrics`: `tradingd_ingest_rows_stored_total{queue}`,
    /// `tradingd_ingest_rows_duplicate_total{queue}`, `tradingd_ingest_dead_lettered_total{queue,reason}`,
    /// `tradingd_ingest_batches_total`, `tradingd_ingest_retries_total`, the histograms
    /// `tradingd_ingest_commit_latency_seconds{queue}` (a batch's first delivery to its commit) and
    /// `tradingd_ingest_batch_rows{queue}`, `tradingd_ingest_oldest_unacked_delivery_age_seconds`
    /// and `tradingd_amqp_reconnects_total{component="ingest"}`.
    public func install(on registry: MetricsRegistry) {
        registry.register("tradingd_ingest_commit_latency_seconds", kind: .histogram,
                          help: "From the first delivery of a batch to the commit of its rows.")
        registry.register("tradingd_ingest_batch_rows", kind: .histogram, help: "Rows per committed batch.",
                          buckets: Self.batchRowBuckets)
        registry.register("tradingd_ingest_oldest_unacked_delivery_age_seconds", kind: .gauge,
                          help: "Age of the oldest delivery a consumer holds unacknowledged (0 when none).")
        registry.register("tradingd_amqp_reconnects_total", kind: .counter, help: "Broker connections replaced after a failure.")
        self.registry.withLock { $0 = registry }
        registry.register("tradingd_ingest_rows_stored_total", kind: .counter, help: "Samples and readings newly stored.")
        registry.register("tradingd_ingest_rows_duplicate_total", kind: .counter, help: "Samples and readings already stored (redelivered).")
        registry.register("tradingd_ingest_dead_lettered_total", kind: .counter, help: "Elements dead-lettered, by reason.")
        registry.register("tradingd_ingest_batches_total", kind: .counter, help: "Batches committed.")
        registry.register("tradingd_ingest_retries_total", kind: .counter, help: "Backoffs after database or broker failures.")
        registry.register("tradingd_ingest_dead_letter_fallbacks_total", kind: .counter,
                          help: "Dead letters that needed a fallback: .dlq declared again, minimal letter, or rejected to the broker.")
        // Zero series before the first batch, so rates and alerts see every queue and reason.
        for kind in IngestQueueKind.allCases {
            registry.set("tradingd_ingest_rows_stored_total", to: 0, labels: ["queue": kind.rawValue])
            registry.set("tradingd_ingest_rows_duplicate_total", to: 0, labels: ["queue": kind.rawValue])
            for reason in TelemetryRejection.Kind.allCases {
                registry.set("tradingd_ingest_dead_lettered_total", to: 0, labels: ["queue": kind.rawValue, "reason": reason.rawValue])
            }
        }
        registry.addCollector { [self] registry in
            let snapshot = snapshot()
            for (kind, count) in snapshot.stored {
                registry.set("tradingd_ingest_rows_stored_total", to: Double(count), labels: ["queue": kind.rawValue])
            }
            for (kind, count) in snapshot.duplicates {
                registry.set("tradingd_ingest_rows_duplicate_total", to: Double(count), labels: ["queue": kind.rawValue])
            }
            for (kind, reasons) in snapshot.deadLettered {
                for (reason, count) in reasons {
                    registry.set("tradingd_ingest_dead_lettered_total", to: Double(count),
                                 labels: ["queue": kind.rawValue, "reason": reason.rawValue])
                }
            }
            registry.set("tradingd_ingest_batches_total", to: Double(snapshot.batches))
            registry.set("tradingd_ingest_retries_total", to: Double(snapshot.retries))
            registry.set("tradingd_ingest_dead_letter_fallbacks_total", to: Double(snapshot.deadLetterFallbacks))
            registry.set("tradingd_ingest_oldest_unacked_delivery_age_seconds", to: oldestUnacknowledgedAge())
            registry.set("tradingd_amqp_reconnects_total", to: Double(snapshot.reconnects), labels: ["component": "ingest"])
        }
    }
}
