import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import TestSupport
import Testing
import TradingCore
@testable import Ingest
import Observability

/// RabbitMQ dropping the consumer's connection: it reconnects, resumes, and neither loses nor
/// double-counts anything.
@Suite(.serialized)
struct IngestReconnectTests {
    /// Force-closes the broker connections whose client name is `clientName` (management API).
    private func closeConnections(clientName: String) throws -> Int {
        guard var components = URLComponents(string: try TestServers.amqpManagementURL), let user = components.user,
              let password = components.password
        else { throw CancellationError() }
        components.user = nil
        components.password = nil
        let base = components.string!
        let authorization = "Basic " + Data("\(user):\(password)".utf8).base64EncodedString()
        func call(_ method: String, _ path: String) throws -> (Data, Int) {
            var request = URLRequest(url: URL(string: base + path)!)
            request.httpMethod = method
            request.setValue(authorization, forHTTPHeaderField: "Authorization")
            let result = IngestResultBox()
            let done = DispatchSemaphore(value: 0)
            URLSession.shared.dataTask(with: request) { data, response, _ in
                result.set(data ?? Data(), (response as? HTTPURLResponse)?.statusCode ?? 0)
                done.signal()
            }.resume()
            done.wait()
            return result.value
        }
        let deadline = ContinuousClock.now.advanced(by: .seconds(30))
        while ContinuousClock.now < deadline {
            let (data, status) = try call("GET", "/api/connections?columns=name,client_properties")
            #expect(status == 200)
            let list = (try JSONSerialization.jsonObject(with: data) as? [[String: Any]]) ?? []
            let names = list.compactMap { entry -> String? in
                (entry["client_properties"] as? [String: Any])?["connection_name"] as? String == clientName ? entry["name"] as? String : nil
            }
            if !names.isEmpty {
                for name in names {
                    _ = try call("DELETE", "/api/connections/" + (name.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? name))
                }
                return names.count
            }
            Thread.sleep(forTimeInterval: 0.25)  // the management API lists new connections late
        }
        return 0
    }

    @Test func brokerConnectionLossIsSurvived() throws {
        let fixture = try IngestTestFixture.make(plants: 1)
        defer { fixture.deleteQueues() }
        let service = try fixture.service()
        let registry = MetricsRegistry()
        service.metrics.install(on: registry)
        service.start()
        defer { service.stop(grace: .seconds(10)) }
        func samples(_ range: ClosedRange<Int>) -> [String] {
            range.map { index in
                var sample = TelemetrySample(plantID: fixture.plants[0], time: TelemetryTimestamp.now.adding(microseconds: -Int64(index) * 1_000_000))
                sample[.consumption] = Double(index)
                return telemetryJSON(sample)
            }
        }
        try fixture.publish(samples(1...10), to: .telemetry)
        try fixture.waitForAcks(service, 10)
        #expect(try closeConnections(clientName: "tradingd ingest \(fixture.queue(.telemetry))") >= 1)
        try fixture.publish(samples(11...30), to: .telemetry)
        try waitUntil("all 30 are stored") { try fixture.count("SELECT count(*) FROM telemetry_samples") == 30 }
        try waitUntil("the queue is empty") { try fixture.readyMessages(fixture.queue(.telemetry)) == 0 }
        #expect(try fixture.count("SELECT sum(sample_count) FROM telemetry_minutes") == 30)
        #expect(service.metrics.snapshot().retries >= 1)
        // The replaced connection is counted where operators see it.
        let reconnects = registry.render().split(separator: "\n")
            .first { $0.hasPrefix("tradingd_amqp_reconnects_total{component=\"ingest\"} ") }
        #expect(reconnects.flatMap { Double($0.split(separator: " ").last ?? "") }.map { $0 >= 1 } == true, "\(reconnects ?? "none")")
    }
}

/// Carries a URLSession answer out of its completion handler.
final class IngestResultBox: @unchecked Sendable {
    // @unchecked Sendable: written once before the semaphore is signalled, read after waiting on it.
    private(set) var value: (Data, Int) = (Data(), 0)
    func set(_ data: Data, _ status: Int) { value = (data, status) }
}
