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
        var firstDeliveryAt: ContinuousClock.Instant?
        var lastCommitAt: ContinuousClock.Instant?
    }

    private let state = Mutex(State())

    public init() {}

    public func snapshot() -> Snapshot {
        state.withLock { s in
            Snapshot(stored: s.stored, duplicates: s.duplicates, deadLettered: s.deadLettered,
                     deliveriesAcked: s.deliveriesAcked, batches: s.batches, batchSecondsTotal: s.batchSecondsTotal,
                     batchSecondsMaximum: s.batchSecondsMaximum, retries: s.retries, bisections: s.bisections,
                     firstDeliveryAt: s.firstDeliveryAt, lastCommitAt: s.lastCommitAt)
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
    }

    func recordDeadLettered(kind: IngestQueueKind, reason: TelemetryRejection.Kind, count: Int = 1) {
        state.withLock { $0.deadLettered[kind, default: [:]][reason, default: 0] += count }
    }

    func recordRetry() { state.withLock { $0.retries += 1 } }
    func recordBisection() { state.withLock { $0.bisections += 1 } }

    /// Exposes the pipeline on `/metrics`: `tradingd_ingest_rows_stored_total{queue}`,
    /// `tradingd_ingest_rows_duplicate_total{queue}`, `tradingd_ingest_dead_lettered_total{queue,reason}`,
    /// `tradingd_ingest_batches_total` and `tradingd_ingest_retries_total`.
    public func install(on registry: MetricsRegistry) {
        registry.register("tradingd_ingest_rows_stored_total", kind: .counter, help: "Samples and readings newly stored.")
        registry.register("tradingd_ingest_rows_duplicate_total", kind: .counter, help: "Samples and readings already stored (redelivered).")
        registry.register("tradingd_ingest_dead_lettered_total", kind: .counter, help: "Elements dead-lettered, by reason.")
        registry.register("tradingd_ingest_batches_total", kind: .counter, help: "Batches committed.")
        registry.register("tradingd_ingest_retries_total", kind: .counter, help: "Backoffs after database or broker failures.")
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
                                 labels: ["queue": kind.rawValue, "reason": "\(reason)"])
                }
            }
            registry.set("tradingd_ingest_batches_total", to: Double(snapshot.batches))
            registry.set("tradingd_ingest_retries_total", to: Double(snapshot.retries))
        }
    }
}
