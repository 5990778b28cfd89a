import Observability
import Synchronization

/// Latency and failures of every HTTP exchange with an ESM, shared by all organisations' clients:
/// `tradingd_esm_request_duration_seconds{operation}` and `tradingd_esm_errors_total{operation,kind}`
/// (kind: the `ESMError.Kind` in snake case, e.g. `unreachable`, `timeout`, `server_error`).
/// Each attempt counts, retries included, so an outage shows as it happens; a call refused before
/// any exchange (`busy`: the organisation's calls in progress are at their cap) counts as an
/// error of its operation without a duration.
public final class ESMMetrics: Sendable {
    /// The ESM calls, by what they do rather than by path (paths carry plant ids).
    public enum Operation: String, Sendable, CaseIterable {
        case token, listPlants = "list_plants", plantConfig = "plant_config", updatePlantConfig = "update_plant_config"
        case sendCommand = "send_command", other

        static func of(method: String, path: String) -> Operation {
            let segments = path.split(separator: "/")
            switch (method, segments.count, segments.last) {
            case ("POST", 2, "token") where segments.first == "oauth": return .token
            case ("GET", 1, "plants"): return .listPlants
            case ("GET", 3, "config"): return .plantConfig
            case ("POST", 3, "config"): return .updatePlantConfig
            case ("POST", 3, "commands"): return .sendCommand
            default: return .other
            }
        }
    }

    /// The error kinds whose series exist at 0 from the start (the others appear when they occur).
    public static let kindsCountedFromStart: [ESMError.Kind] = [.unreachable, .timeout, .serverError, .busy, .clientError,
                                                                .unauthorized, .invalidResponse]

    private let registry = Mutex<MetricsRegistry?>(nil)

    public init() {}

    public func install(on registry: MetricsRegistry) {
        registry.register("tradingd_esm_request_duration_seconds", kind: .histogram,
                          help: "Duration of HTTP exchanges with the ESM, by operation.")
        registry.register("tradingd_esm_errors_total", kind: .counter, help: "Failed ESM exchanges, by operation and kind.")
        // Zero series, so that rates and alerts have something to work on before the first failure.
        for operation in Operation.allCases where operation != .other {
            for kind in Self.kindsCountedFromStart {
                registry.increment("tradingd_esm_errors_total", by: 0, labels: ["operation": operation.rawValue, "kind": kind.metricLabel])
            }
        }
        self.registry.withLock { $0 = registry }
    }

    /// One exchange: how long it took and, when it failed, how.
    func record(method: String, path: String, seconds: Double, failure: ESMError.Kind?) {
        guard let registry = registry.withLock({ $0 }) else { return }
        let operation = Operation.of(method: method, path: path).rawValue
        registry.observe("tradingd_esm_request_duration_seconds", seconds, labels: ["operation": operation])
        if let failure {
            registry.increment("tradingd_esm_errors_total", labels: ["operation": operation, "kind": failure.metricLabel])
        }
    }

    /// A call refused before anything was sent: an error of its operation, no exchange to time.
    func recordRefusal(method: String, path: String, kind: ESMError.Kind) {
        guard let registry = registry.withLock({ $0 }) else { return }
        registry.increment("tradingd_esm_errors_total", labels: ["operation": Operation.of(method: method, path: path).rawValue,
                                                                 "kind": kind.metricLabel])
    }

    /// What an answered status means as an error kind (nil for a success).
    static func failureKind(status: Int) -> ESMError.Kind? {
        switch status {
        case 200..<400: nil
        case 401: .unauthorized
        case 429, 500...: .serverError
        default: .clientError
        }
    }
}

extension ESMError.Kind {
    /// The kind as a metric label: snake case without the `ESM_` prefix (`unreachable`,
    /// `server_error`), for `tradingd_esm_errors_total` and the relay's counters alike.
    public var metricLabel: String { rawValue.dropFirst("ESM_".count).lowercased() }
}
