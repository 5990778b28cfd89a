import AMQP
import ESM
import Observability
import Synchronization

/// Counters of the command relay, shared by every consumer and worker of a `RelayService`;
/// thread-safe, read by the metrics endpoint through `snapshot()`.
public final class RelayMetrics: Sendable {
    /// Cumulative latency counts in fixed buckets (Prometheus-style: `counts[i]` holds the
    /// observations `<= bounds[i]`, the last bucket is everything).
    public struct Histogram: Sendable, Equatable {
        public static let defaultBounds: [Double] = [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60]
        /// Upper bounds in seconds (the implicit last bucket is +Inf).
        public let bounds: [Double]
        /// Observations per bucket, not cumulative; one more entry than `bounds` (+Inf).
        public private(set) var counts: [Int]
        public private(set) var count = 0
        public private(set) var sum = 0.0

        public init(bounds: [Double] = Histogram.defaultBounds) {
            self.bounds = bounds
            counts = Array(repeating: 0, count: bounds.count + 1)
        }

        public mutating func record(_ seconds: Double) {
            let index = bounds.firstIndex { seconds <= $0 } ?? bounds.count
            counts[index] += 1
            count += 1
            sum += seconds
        }

        /// Cumulative counts per upper bound (`nil` is +Inf), as `/metrics` renders them.
        public var cumulative: [(bound: Double?, count: Int)] {
            var running = 0
            return counts.enumerated().map { index, count in
                running += count
                return (index < bounds.count ? bounds[index] : nil, running)
            }
        }
    }

    /// What made a consumer, worker or event publisher back off and try again.
    public enum FailureKind: String, Sendable, CaseIterable {
        case database, broker

        /// Broker failures are `AMQPError`s; everything else these loops throw comes from
        /// PostgreSQL (a batch it refused included).
        public init(of error: any Error) { self = error is AMQPError ? .broker : .database }
    }

    public struct Snapshot: Sendable, Equatable {
        /// Commands recorded for the first time (a redelivery is a `duplicate`).
        public var received = 0
        public var duplicates = 0
        /// Commands the ESM accepted (202).
        public var relayed = 0
        /// REJECTED: by policy on arrival (DEVICE_COMMAND, EMERGENCY) or by the ESM (4xx).
        public var rejected = 0
        public var rejectedByESM = 0
        public var expired = 0
        public var failed = 0
        /// Relay attempts that will be retried (ESM unreachable, timed out, 5xx, 409...), by the
        /// ESM client's error kind.
        public var retries: [ESMError.Kind: Int] = [:]
        public var relayRetries: Int { retries.values.reduce(0, +) }
        /// Command deliveries dead-lettered (malformed, unknown plant, out of range...).
        public var commandsDeadLettered = 0
        public var acksRecorded = 0
        /// Acks for no known command, or malformed ones, dead-lettered.
        public var acksDeadLettered = 0
        public var ackTimeouts = 0
        public var eventsPublished = 0
        /// Events the broker could not route (the organisation's `P.events` is gone), parked.
        public var eventsParked = 0
        /// Dead letters that needed a fallback (their `.dlq` declared again, a minimal letter, or
        /// the original rejected to the broker's dead-letter exchange).
        public var deadLetterFallbacks = 0
        /// Database or broker failures that made a consumer, worker or publisher back off.
        public var failures: [FailureKind: Int] = [:]
        /// Broker connections of the relay's consumers and publisher replaced after a failure.
        public var amqpReconnects = 0
        /// From recording a command to the ESM's 202.
        public var relayLatency = Histogram()
        /// From recording a command to its (first or later) acknowledgement.
        public var ackLatency = Histogram()

        mutating func recordFailure(_ error: any Error) { failures[FailureKind(of: error), default: 0] += 1 }
    }

    private let state = Mutex(Snapshot())
    /// Where latencies also go as they are observed, once `install(on:)` was called.
    private let registry = Mutex<MetricsRegistry?>(nil)

    public init() {}

    public func snapshot() -> Snapshot { state.withLock { $0 } }

    func update(_ change: (inout Snapshot) -> Void) { state.withLock { change(&$0) } }

    func observeRelayLatency(_ seconds: [Double]) {
        guard !seconds.isEmpty else { return }
        state.withLock { for value in seconds { $0.relayLatency.record(value) } }
        if let registry = registry.withLock({ $0 }) {
            for value in seconds { registry.observe("tradingd_relay_latency_seconds", value) }
        }
    }

    func observeAckLatency(_ seconds: [Double]) {
        guard !seconds.isEmpty else { return }
        state.withLock { for value in seconds { $0.ackLatency.record(value) } }
        if let registry = registry.withLock({ $0 }) {
            for value in seconds { registry.observe("tradingd_relay_ack_latency_seconds", value) }
        }
    }

    /// Exposes the relay on `/metrics`: `tradingd_relay_commands_total{outcome}` (received,
    /// duplicate, relayed, rejected, rejected_by_esm, expired, failed, dead_lettered),
    /// `tradingd_relay_acks_total{outcome}` (recorded, dead_lettered, timeout),
    /// `tradingd_relay_retries_total{kind}` (the ESM error kind, as in `tradingd_esm_errors_total`),
    /// `tradingd_relay_events_published_total`, `tradingd_relay_failures_total{kind}` (`database`,
    /// `broker`), `tradingd_amqp_reconnects_total{component="relay"}`, and the histograms `tradingd_relay_latency_seconds`
    /// (recorded → ESM 202) and `tradingd_relay_ack_latency_seconds` (recorded → ack).
    public func install(on registry: MetricsRegistry) {
        registry.register("tradingd_relay_commands_total", kind: .counter, help: "Partner commands by outcome.")
        registry.register("tradingd_relay_acks_total", kind: .counter, help: "ESM acknowledgements by outcome.")
        registry.register("tradingd_relay_retries_total", kind: .counter, help: "Relay attempts deferred (ESM unreachable, timed out, 5xx...), by ESM error kind.")
        registry.register("tradingd_relay_events_published_total", kind: .counter, help: "Command status events confirmed on P.events.")
        registry.register("tradingd_relay_failures_total", kind: .counter, help: "Backoffs after database or broker failures, by kind.")
        registry.register("tradingd_relay_events_parked_total", kind: .counter, help: "Events the broker could not route, parked.")
        registry.register("tradingd_relay_dead_letter_fallbacks_total", kind: .counter,
                          help: "Dead letters that needed a fallback: .dlq declared again, minimal letter, or rejected to the broker.")
        registry.register("tradingd_amqp_reconnects_total", kind: .counter, help: "Broker connections replaced after a failure.")
        let buckets = Histogram.defaultBounds
        registry.register("tradingd_relay_latency_seconds", kind: .histogram,
                          help: "From recording a command to the ESM's 202.", buckets: buckets)
        registry.register("tradingd_relay_ack_latency_seconds", kind: .histogram,
                          help: "From recording a command to its acknowledgement.", buckets: buckets)
        self.registry.withLock { $0 = registry }
        registry.addCollector { [self] registry in
            let s = snapshot()
            let commands: [(String, Int)] = [
                ("received", s.received), ("duplicate", s.duplicates), ("relayed", s.relayed), ("rejected", s.rejected),
                ("rejected_by_esm", s.rejectedByESM), ("expired", s.expired), ("failed", s.failed),
                ("dead_lettered", s.commandsDeadLettered),
            ]
            for (outcome, count) in commands {
                registry.set("tradingd_relay_commands_total", to: Double(count), labels: ["outcome": outcome])
            }
            for (outcome, count) in [("recorded", s.acksRecorded), ("dead_lettered", s.acksDeadLettered), ("timeout", s.ackTimeouts)] {
                registry.set("tradingd_relay_acks_total", to: Double(count), labels: ["outcome": outcome])
            }
            // The kinds counted from the start exist at 0, as for tradingd_esm_errors_total.
            for kind in Set(ESMMetrics.kindsCountedFromStart).union(s.retries.keys) {
                registry.set("tradingd_relay_retries_total", to: Double(s.retries[kind] ?? 0), labels: ["kind": kind.metricLabel])
            }
            registry.set("tradingd_relay_events_published_total", to: Double(s.eventsPublished))
            registry.set("tradingd_relay_events_parked_total", to: Double(s.eventsParked))
            registry.set("tradingd_relay_dead_letter_fallbacks_total", to: Double(s.deadLetterFallbacks))
            for kind in FailureKind.allCases {
                registry.set("tradingd_relay_failures_total", to: Double(s.failures[kind] ?? 0), labels: ["kind": kind.rawValue])
            }
            registry.set("tradingd_amqp_reconnects_total", to: Double(s.amqpReconnects), labels: ["component": "relay"])
        }
    }
}
