import Foundation
import OutboundHTTP

/// `tradingd status`: asks a running daemon for `/readyz` and `/metrics` and prints readiness,
/// version, consumers and ingest lag. Exit 0 when ready, 1 when not ready or unreachable.
struct StatusCommand {
    /// `http://host:port` of the daemon.
    let baseURL: String
    let output: (String) -> Void

    /// The daemon's own address as the configuration names it; a wildcard listener is asked on loopback.
    static func url(listening address: (host: String, port: Int)) -> String {
        let host: String = switch address.host {
        case "0.0.0.0", "": "127.0.0.1"
        case "::": "[::1]"
        default: address.host.contains(":") ? "[\(address.host)]" : address.host
        }
        return "http://\(host):\(address.port)"
    }

    func run() throws -> Int32 {
        guard let parts = URLComponents(string: baseURL), parts.scheme == "http", let host = parts.host, !host.isEmpty,
              parts.path.isEmpty || parts.path == "/" else {
            throw CommandLineInterface.UsageError(message: "--url must be http://HOST:PORT, got '\(baseURL)'")
        }
        let port = parts.port ?? 80
        let bare = host.hasPrefix("[") ? String(host.dropFirst().dropLast()) : host
        // The daemon is usually on loopback, which the outbound guard refuses unless allowed: allow exactly it.
        let guardAllowing = try OutboundURLGuard(privateAllowList: (bare.contains(":") ? "[\(bare)]" : bare) + ":\(port)")
        let client = OutboundHTTPClient(urlGuard: guardAllowing)
        func get(_ path: String) throws(HTTPClientError) -> HTTPClientResponse {
            try client.send(HTTPClientRequest(method: "GET", scheme: "http", host: bare, port: port, path: path),
                            timeouts: .init(connect: .seconds(3), request: .seconds(10)))
        }
        let readiness: HTTPClientResponse
        do {
            readiness = try get("/readyz")
        } catch {
            output("tradingd at \(baseURL): not answering (\(error.message))")
            return 1
        }
        let checks = (try? JSONSerialization.jsonObject(with: Data(readiness.body))) as? [String: String] ?? [:]
        let ready = readiness.status == 200
        output("tradingd at \(baseURL): \(ready ? "ready" : "NOT READY (HTTP \(readiness.status))")")
        output("  postgres   \(checks["postgres"] ?? "?")")
        output("  rabbitmq   \(checks["rabbitmq"] ?? "?")")
        if let metrics = try? get("/metrics"), metrics.status == 200 {
            let samples = PrometheusText.samples(String(decoding: metrics.body, as: UTF8.self))
            if let build = samples.first(where: { $0.name == "tradingd_build_info" }) {
                output("  version    \(build.labels["version"] ?? "?") (commit \(build.labels["commit"] ?? "?"))")
            }
            let consumers = samples.filter { $0.name == "tradingd_broker_queue_consumers" && !($0.labels["queue"] ?? "").hasSuffix(".dlq")
                && !($0.labels["queue"] ?? "").hasSuffix(".events") }
            let idle = consumers.filter { $0.value == 0 }.compactMap { $0.labels["queue"] }
            output("  consumers  \(Int(consumers.map(\.value).reduce(0, +))) on \(consumers.count) queues"
                + (idle.isEmpty ? "" : "; none on " + idle.sorted().joined(separator: ", ")))
            if let lag = samples.first(where: { $0.name == "tradingd_ingest_oldest_unacked_delivery_age_seconds" }) {
                output("  ingest lag \(String(format: "%.1f", lag.value)) s (oldest unacknowledged delivery)")
            }
            let backlog = samples.filter { $0.name == "tradingd_broker_queue_messages" && !($0.labels["queue"] ?? "").hasSuffix(".dlq") }
            output("  backlog    \(Int(backlog.map(\.value).reduce(0, +))) messages ready in the inbound queues")
        }
        return ready ? 0 : 1
    }
}

/// Just enough of the Prometheus text format to read one's own `/metrics`: `name{labels} value` lines.
enum PrometheusText {
    struct Sample: Equatable {
        let name: String
        let labels: [String: String]
        let value: Double
    }

    static func samples(_ text: String) -> [Sample] {
        text.split(separator: "\n").compactMap { line -> Sample? in
            guard !line.hasPrefix("#"), let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else {
                return nil
            }
            let series = line[..<space]
            guard let brace = series.firstIndex(of: "{") else { return Sample(name: String(series), labels: [:], value: value) }
            var labels: [String: String] = [:]
            var rest = series[series.index(after: brace)...].dropLast()  // without the closing brace
            while let equals = rest.firstIndex(of: "=") {
                let key = String(rest[..<equals]).trimmingCharacters(in: CharacterSet(charactersIn: ", "))
                var cursor = rest.index(equals, offsetBy: 2)  // past ="
                var label = ""
                while cursor < rest.endIndex, rest[cursor] != "\"" {
                    if rest[cursor] == "\\", rest.index(after: cursor) < rest.endIndex { cursor = rest.index(after: cursor) }
                    label.append(rest[cursor])
                    cursor = rest.index(after: cursor)
                }
                labels[key] = label
                rest = cursor < rest.endIndex ? rest[rest.index(after: cursor)...] : rest[rest.endIndex...]
            }
            return Sample(name: String(series[..<brace]), labels: labels, value: value)
        }
    }
}
