import AMQP
import ESM
import Observability
import Postgres
@testable import Relay
import Testing

/// The relay's counters and histograms, and how they appear on `/metrics`.
struct RelayMetricsTests {
    @Test func histogramBucketsObservations() {
        var histogram = RelayMetrics.Histogram(bounds: [0.01, 0.1])
        for value in [0.005, 0.01, 0.05, 2] { histogram.record(value) }
        #expect(histogram.counts == [2, 1, 1])
        #expect(histogram.count == 4)
        #expect(abs(histogram.sum - 2.065) < 1e-12)
        #expect(histogram.cumulative.map(\.count) == [2, 3, 4])
        #expect(histogram.cumulative.map(\.bound) == [0.01, 0.1, nil])
    }

    @Test func installedMetricsRender() {
        let metrics = RelayMetrics()
        let registry = MetricsRegistry()
        metrics.install(on: registry)
        metrics.update { m in
            m.received = 7
            m.relayed = 5
            m.expired = 1
            m.acksDeadLettered = 2
        }
        metrics.observeRelayLatency([0.003, 0.004])
        metrics.observeAckLatency([0.2])
        let text = registry.render()
        #expect(text.contains(#"tradingd_relay_commands_total{outcome="received"} 7"#))
        #expect(text.contains(#"tradingd_relay_commands_total{outcome="relayed"} 5"#))
        #expect(text.contains(#"tradingd_relay_commands_total{outcome="expired"} 1"#))
        #expect(text.contains(#"tradingd_relay_acks_total{outcome="dead_lettered"} 2"#))
        #expect(text.contains(#"tradingd_relay_latency_seconds_bucket{le="0.005"} 2"#))
        #expect(text.contains("tradingd_relay_latency_seconds_count 2"))
        #expect(text.contains("tradingd_relay_ack_latency_seconds_count 1"))
        #expect(metrics.snapshot().relayLatency.count == 2)
    }

    @Test func retriesAndFailuresRenderByKind() {
        let metrics = RelayMetrics()
        let registry = MetricsRegistry()
        metrics.install(on: registry)
        metrics.update { m in
            m.retries[.timeout] = 3
            m.retries[.invalidConfiguration] = 1
            m.recordFailure(AMQPError(.connectionClosed, detail: "gone", isRetriable: true))
            m.recordFailure(PostgresError(code: .connectionLost, message: "server closed the connection"))
            m.recordFailure(PostgresError(code: .connectionLost, message: "server closed the connection"))
        }
        let text = registry.render()
        #expect(text.contains(#"tradingd_relay_retries_total{kind="timeout"} 3"#))
        #expect(text.contains(#"tradingd_relay_retries_total{kind="invalid_configuration"} 1"#))
        // The kinds tradingd_esm_errors_total starts at 0 are there at 0 too, named alike.
        for kind in ESMMetrics.kindsCountedFromStart where kind != .timeout {
            #expect(text.contains("tradingd_relay_retries_total{kind=\"\(kind.metricLabel)\"} 0"))
        }
        #expect(text.contains(#"tradingd_relay_retries_total{kind="server_error"} 0"#))
        #expect(text.contains(#"tradingd_relay_failures_total{kind="broker"} 1"#))
        #expect(text.contains(#"tradingd_relay_failures_total{kind="database"} 2"#))
        #expect(metrics.snapshot().relayRetries == 4)
    }
}
