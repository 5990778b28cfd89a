import Observability
import Testing
@testable import ESM

@Suite struct ESMMetricsTests {
    @Test func operationsAreNamedByWhatTheyDoNotByPath() {
        #expect(ESMMetrics.Operation.of(method: "POST", path: "/oauth/token") == .token)
        #expect(ESMMetrics.Operation.of(method: "GET", path: "/plants") == .listPlants)
        #expect(ESMMetrics.Operation.of(method: "GET", path: "/plants/p-1/config") == .plantConfig)
        #expect(ESMMetrics.Operation.of(method: "POST", path: "/plants/p-1/config") == .updatePlantConfig)
        #expect(ESMMetrics.Operation.of(method: "POST", path: "/plants/p%2F1/commands") == .sendCommand)
        #expect(ESMMetrics.Operation.of(method: "DELETE", path: "/plants/p-1") == .other)
    }

    @Test func answeredStatusesMapToErrorKinds() {
        #expect(ESMMetrics.failureKind(status: 202) == nil)
        #expect(ESMMetrics.failureKind(status: 401) == .unauthorized)
        #expect(ESMMetrics.failureKind(status: 404) == .clientError)
        #expect(ESMMetrics.failureKind(status: 429) == .serverError)
        #expect(ESMMetrics.failureKind(status: 503) == .serverError)
        #expect(ESMError.Kind.invalidResponse.metricLabel == "invalid_response")
        #expect(ESMError.Kind.forbiddenAddress.metricLabel == "forbidden_address")
    }

    @Test func recordsLatencyAndErrorsOnTheRegistry() {
        let registry = MetricsRegistry()
        let metrics = ESMMetrics()
        metrics.install(on: registry)
        metrics.record(method: "POST", path: "/plants/x/commands", seconds: 0.02, failure: nil)
        metrics.record(method: "POST", path: "/plants/x/commands", seconds: 3, failure: .timeout)
        let text = registry.render()
        #expect(text.contains("tradingd_esm_request_duration_seconds_count{operation=\"send_command\"} 2"))
        #expect(registry.value("tradingd_esm_errors_total", labels: ["operation": "send_command", "kind": "timeout"]) == 1)
        #expect(registry.value("tradingd_esm_errors_total", labels: ["operation": "token", "kind": "unreachable"]) == 0)
        #expect(registry.value("tradingd_esm_errors_total", labels: ["operation": "send_command", "kind": "busy"]) == 0)
        metrics.recordRefusal(method: "POST", path: "/plants/x/commands", kind: .busy)
        #expect(registry.value("tradingd_esm_errors_total", labels: ["operation": "send_command", "kind": "busy"]) == 1)
        #expect(registry.render().contains("tradingd_esm_request_duration_seconds_count{operation=\"send_command\"} 2\n"),
                "a refusal is not an exchange")
    }
}
