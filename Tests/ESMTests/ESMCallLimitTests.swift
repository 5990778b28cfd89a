import ESM
import ESMSimulator
import Foundation
import Observability
import Synchronization
import Testing

/// One organisation's slow ESM cannot hold every worker, and no call outlives its deadline
/// (docs/RELIABILITY.md, item 11).
struct ESMCallLimitTests {
    @Test func callsOverTheOrganisationsCapAreRefusedAtOnce() throws {
        let registry = MetricsRegistry()
        let metrics = ESMMetrics()
        metrics.install(on: registry)
        let fixture = try ESMTestFixture(metrics: metrics) { $0.maxConcurrentCalls = 2 }
        _ = try fixture.client.listPlants()   // the token is fetched before the ESM turns slow
        fixture.simulator.latency = .milliseconds(1500)
        let outcomes = Mutex<[String]>([])
        let group = DispatchGroup()
        for _ in 0..<5 {
            group.enter()
            Thread {
                let started = ContinuousClock.now
                let outcome: String
                do {
                    _ = try fixture.client.listPlants()
                    outcome = "ok"
                } catch {
                    let busy = (error as? ESMError)?.kind == .busy
                    outcome = busy && ContinuousClock.now - started < .milliseconds(500) ? "busy at once" : "\(error)"
                }
                outcomes.withLock { $0.append(outcome) }
                group.leave()
            }.start()
        }
        #expect(group.wait(timeout: .now() + 20) == .success)
        let sorted = outcomes.withLock { $0 }.sorted()
        #expect(sorted == ["busy at once", "busy at once", "busy at once", "ok", "ok"])
        #expect(try fixture.client.listPlants().count == 3, "slots are given back")
        // Each refusal is an error of its operation; only the calls sent were timed.
        let refused = Double(sorted.filter { $0 == "busy at once" }.count)
        let sent = Double(sorted.filter { $0 == "ok" }.count) + 2
        #expect(registry.value("tradingd_esm_errors_total", labels: ["operation": "list_plants", "kind": "busy"]) == refused)
        #expect(registry.render().contains("tradingd_esm_request_duration_seconds_count{operation=\"list_plants\"} \(Int(sent))\n"))
    }

    @Test func aCallEndsAtItsDeadlineWhateverItsAttemptsAndTimeouts() throws {
        // Three attempts of up to 2 s each would take 6 s; the deadline is 1 s.
        let fixture = try ESMTestFixture {
            $0.requestTimeout = .seconds(2)
            $0.maxAttempts = 3
            $0.callDeadline = .seconds(1)
        }
        _ = try fixture.client.listPlants()
        fixture.simulator.latency = .seconds(3)
        let started = ContinuousClock.now
        let error = try #require(throws: ESMError.self) { try fixture.client.listPlants() }
        let took = ContinuousClock.now - started
        #expect(error.kind == .timeout)
        #expect(took < .seconds(2), "ended before one attempt's own timeout; took \(took)")
        #expect(ESMClientConfiguration(baseURL: "https://e.example", clientID: "a", clientSecret: "b").callDeadline < .seconds(30),
                "the default deadline stays under the HTTP handler budget")
    }
}
