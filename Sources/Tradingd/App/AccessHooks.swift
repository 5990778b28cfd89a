import Foundation
import HTTPServer
import Observability
import Timekeeping

/// The listener's hooks: request counts by route and status class (`2xx`...) and latency by route
/// on `/metrics`, one
/// access-log line per request at info (a warning for 5xx), the open-connection gauge.
enum AccessHooks {
    static func make(logger: Logger, metrics: MetricsRegistry) -> HTTPServerHooks {
        metrics.register("tradingd_http_requests_total", kind: .counter, help: "HTTP requests by route and status class.")
        metrics.register("tradingd_http_request_duration_seconds", kind: .histogram, help: "HTTP request latency.")
        metrics.register("tradingd_http_open_connections", kind: .gauge, help: "Open HTTP client connections.")
        return HTTPServerHooks(
            requestCompleted: { record in
                let route = record.routePattern ?? "unmatched"
                let seconds = record.duration.inSeconds
                metrics.increment("tradingd_http_requests_total", labels: ["route": route, "status_class": "\(record.status / 100)xx"])
                metrics.observe("tradingd_http_request_duration_seconds", seconds, labels: ["route": route])
                // Building the record (a dictionary, String(format:)) costs about as much as a
                // /healthz answer itself: skip it when the level drops the line anyway.
                let level: Logger.Level = record.status >= 500 ? .warning : .info
                guard level >= logger.level else { return }
                var fields = [
                    "request.id": record.requestID, "http.method": record.method, "http.path": record.path,
                    "http.route": route, "http.status": String(record.status),
                    "duration.ms": String(format: "%.3f", seconds * 1000), "remote": record.remoteAddress,
                ]
                if let failure = record.failure { fields["failure"] = failure }
                logger.log(level, "request", fields)
            },
            connectionsChanged: { count in
                metrics.set("tradingd_http_open_connections", to: Double(count))
            })
    }
}
