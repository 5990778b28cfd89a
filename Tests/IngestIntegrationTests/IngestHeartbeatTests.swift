import AMQP
import Foundation
@testable import Ingest
import Postgres
import Testing
import TestSupport
import TradingCore

/// A slow writer does not cost the broker connection (docs/RELIABILITY.md, item 12).
struct IngestHeartbeatTests {
    @Test func aFullBatchWaitingOnALockedTableKeepsTheBrokerConnection() throws {
        let fixture = try IngestTestFixture.make(plants: 1)
        defer { fixture.deleteQueues() }
        var options = fixture.options(prefetch: 50)
        // 3 s, not less: the whole suite running beside it on two cores once delayed the
        // consumer past a 1 s heartbeat's two-beat window.
        options.heartbeat = .seconds(3)
        options.maximumBatchDeliveries = 5
        let service = try fixture.service(options)
        service.start()
        defer { service.stop(grace: .seconds(10)) }
        let plant = fixture.plants[0].uuidString.lowercased()
        let bodies = (1...30).map { index -> String in
            let time = TelemetryTimestamp.now.adding(microseconds: -Int64(index) * 1_000_000)
            return #"{"plant_id":"\#(plant)","time":"\#(time.rfc3339)","soc":50}"#
        }
        // The writer's first batch waits on the lock for five heartbeats; the consumer fills the
        // next batch meanwhile.
        let locker = try fixture.connect()
        try locker.execute("BEGIN")
        try locker.execute("LOCK TABLE telemetry_samples IN ACCESS EXCLUSIVE MODE")
        try fixture.publish(bodies, to: .telemetry)
        Thread.sleep(forTimeInterval: 15)
        try locker.execute("COMMIT")
        try fixture.waitForAcks(service, 30)
        let snapshot = service.metrics.snapshot()
        #expect(snapshot.reconnects == 0, "the broker dropped the connection while the batch waited")
        #expect(snapshot.duplicates[.telemetry] ?? 0 == 0)
        #expect(try fixture.count("SELECT count(*) FROM telemetry_samples") == 30)
    }
}
