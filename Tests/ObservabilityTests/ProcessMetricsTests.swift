import Foundation
import Testing
@testable import Observability

@Suite struct ProcessMetricsTests {
    /// A command name with spaces and parentheses must not shift the fields (proc(5)).
    @Test func parsesStatFieldsAfterTheCommandName() throws {
        let stat = "4242 (tradingd (x) y) S 1 4242 4242 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 37 0 "
            + "123400 1406038016 10847 18446744073709551615 1 1 0 0 0 0 0 4096 0 0 0 0 17 1 0 0 0 0 0"
        let reading = try #require(ProcessMetrics.parse(stat: stat, clockTicksPerSecond: 100, pageSize: 4096, bootTime: 1_700_000_000))
        #expect(reading.cpuSeconds == 3.0)  // (250 + 50) / 100
        #expect(reading.threads == 37)
        #expect(reading.startTimeSeconds == 1_700_000_000 + 1234)
        #expect(reading.virtualBytes == 1_406_038_016)
        #expect(reading.residentBytes == 10847 * 4096)
        #expect(ProcessMetrics.parse(stat: "garbage", clockTicksPerSecond: 100, pageSize: 4096, bootTime: 0) == nil)
    }

    @Test func readsTheSoftOpenFilesLimit() {
        let limits = """
            Limit                     Soft Limit           Hard Limit           Units
            Max open files            1024                 524288               files
            """
        #expect(ProcessMetrics.parseMaximumOpenFiles(limits: limits) == 1024)
    }

    /// The live reading agrees with what the process can see of itself another way.
    @Test func liveReadingMatchesTheProcess() throws {
        let reading = try #require(ProcessMetrics.read())
        #expect(reading.residentBytes > 1_000_000)
        #expect(reading.threads >= 1)
        #expect(abs(reading.startTimeSeconds - Date().timeIntervalSince1970) < 3600 * 24)
        let registry = MetricsRegistry()
        ProcessMetrics.install(on: registry)
        let text = registry.render()
        #expect(text.contains("# TYPE process_cpu_seconds_total counter"))
        #expect(registry.value("process_open_fds") ?? 0 > 2)  // stdin, stdout, stderr at least
    }

    @Test func replaceAllDropsSeriesThatWentAway() {
        let registry = MetricsRegistry()
        registry.register("queue_messages", kind: .gauge, help: "h")
        registry.replaceAll("queue_messages", with: [(["queue": "a"], 1), (["queue": "b"], 2)])
        registry.replaceAll("queue_messages", with: [(["queue": "b"], 3)])
        #expect(registry.value("queue_messages", labels: ["queue": "a"]) == nil)
        #expect(registry.value("queue_messages", labels: ["queue": "b"]) == 3)
    }
}
