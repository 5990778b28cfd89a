import Foundation
import Testing
@testable import Observability

@Suite struct LoggerTests {
    @Test func writesOneParsableJSONObjectPerLine() throws {
        let capture = LogCapture()
        let logger = Logger(level: .info, metadata: ["org.id": "o1"], sink: capture.sink)
        logger.info("batch \"stored\"\nnext", ["request.id": "r\u{1}x"])
        let line = try #require(capture.lines.first)
        #expect(!line.contains("\n"))
        let object = try #require(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: String])
        #expect(object["msg"] == "batch \"stored\"\nnext")
        #expect(object["level"] == "info")
        #expect(object["org.id"] == "o1")
        #expect(object["request.id"] == "r\u{1}x")
        #expect(object["ts"]?.hasSuffix("Z") == true)
    }

    @Test func dropsMessagesBelowTheLevel() {
        let capture = LogCapture()
        let logger = Logger(level: .warning, sink: capture.sink)
        logger.info("quiet")
        logger.debug("quieter")
        logger.error("loud")
        #expect(capture.lines.count == 1)
        #expect(capture.lines.first?.contains("loud") == true)
    }
}

@Suite struct MetricsTests {
    @Test func rendersCountersAndHistogramsInPrometheusText() {
        let registry = MetricsRegistry()
        registry.register("http_requests_total", kind: .counter, help: "Requests.")
        registry.register("http_request_seconds", kind: .histogram, help: "Latency.", buckets: [0.01, 0.1])
        registry.increment("http_requests_total", labels: ["status": "200", "route": "/a"])
        registry.increment("http_requests_total", by: 2, labels: ["route": "/a", "status": "200"])
        for value in [0.005, 0.05, 0.5] { registry.observe("http_request_seconds", value) }
        let text = registry.render()
        #expect(text.contains("http_requests_total{route=\"/a\",status=\"200\"} 3\n"))
        #expect(text.contains("http_request_seconds_bucket{le=\"0.01\"} 1\n"))
        #expect(text.contains("http_request_seconds_bucket{le=\"0.1\"} 2\n"))
        #expect(text.contains("http_request_seconds_bucket{le=\"+Inf\"} 3\n"))
        #expect(text.contains("http_request_seconds_count 3\n"))
        #expect(text.contains("# TYPE http_request_seconds histogram\n"))
    }

    @Test func collectorsRunBeforeRendering() {
        let registry = MetricsRegistry()
        registry.register("open_connections", kind: .gauge, help: "Open.")
        registry.addCollector { $0.set("open_connections", to: 7) }
        #expect(registry.render().contains("open_connections 7\n"))
    }

    @Test func escapesLabelValues() {
        let registry = MetricsRegistry()
        registry.register("x_total", kind: .counter, help: "X.")
        registry.increment("x_total", labels: ["path": "a\"b\\c"])
        #expect(registry.render().contains("x_total{path=\"a\\\"b\\\\c\"} 1\n"))
    }
}
