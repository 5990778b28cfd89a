import AMQP
import Foundation
import Messaging
import Observability
import Postgres
@testable import Relay
import Testing
import TestSupport
import TradingCore

/// The relay to the ESM: exactly once, restart-safe, retries, 4xx, expiry, replicas.
struct RelayDeliveryTests {
    @Test func relaysEachCommandOnceUnderRedelivery() throws {
        let f = try RelayTestFixture.make()
        defer { f.deleteQueues() }
        let esm = try RelayTestESM(prefix: f.prefix, publishAcks: false)
        let ids = (0..<20).map { "once-\($0)" }
        // Every command twice, before and after the service starts.
        try f.publishCommands(ids.map { f.command($0) })
        let service = try f.service(esm)
        service.start()
        defer { service.stop(grace: .seconds(10)) }
        try f.publishCommands(ids.map { f.command($0) })
        try waitUntil("all are relayed and the duplicates handled") {
            let s = service.metrics.snapshot()
            return s.relayed == 20 && s.duplicates == 20
        }
        Thread.sleep(forTimeInterval: 0.3)  // a second relay, if any, would show now
        #expect(try f.rows().values.allSatisfy { $0.status == "RELAYED" && $0.attempts == 1 })
        #expect(ids.allSatisfy { esm.calls($0) == 1 })
    }

    @Test func aCommandRecordedBeforeACrashIsRelayedOnceAfterRestart() throws {
        let f = try RelayTestFixture.make()
        defer { f.deleteQueues() }
        let esm = try RelayTestESM(prefix: f.prefix, publishAcks: false)
        // The first daemon records and acks, then stops before any relay (no workers).
        let first = try f.service(esm, options: RelayTestFixture.options(workers: 0))
        first.start()
        try f.publishCommands([f.command("crash-1"), f.command("crash-2", type: "MODE_CHANGE")])
        try waitUntil("both are recorded") { first.metrics.snapshot().received == 2 }
        first.stop(grace: .seconds(10))
        #expect(try f.status("crash-1") == "PENDING")
        #expect(esm.allCalls.isEmpty)

        let second = try f.service(esm)
        second.start()
        defer { second.stop(grace: .seconds(10)) }
        try waitUntil("both are relayed") { try f.rows().values.allSatisfy { $0.status == "RELAYED" } }
        Thread.sleep(forTimeInterval: 0.3)
        #expect(esm.calls("crash-1") == 1)
        #expect(esm.calls("crash-2") == 1)
    }

    @Test func retriesWhileTheESMIsDownThenRelays() throws {
        let f = try RelayTestFixture.make()
        defer { f.deleteQueues() }
        let esm = try RelayTestESM(prefix: f.prefix, publishAcks: false)
        try esm.setDown(true)
        let service = try f.service(esm)
        service.start()
        defer { service.stop(grace: .seconds(10)) }
        try f.publishCommands([f.command("down-1")])
        try waitUntil("three attempts failed") { (try f.rows()["down-1"]?.attempts ?? 0) >= 3 }
        #expect(try f.status("down-1") == "PENDING")
        #expect(esm.executions("down-1") == 0)
        try esm.setDown(false)
        try waitUntil("it is relayed") { try f.status("down-1") == "RELAYED" }
        #expect(esm.executions("down-1") == 1)
        // The port refuses connections: every deferral is of kind unreachable.
        #expect(service.metrics.snapshot().relayRetries >= 3)
        #expect(Array(service.metrics.snapshot().retries.keys) == [.unreachable])
        let lastError = try f.connect().query("SELECT last_error FROM command_log WHERE message_id = 'down-1'").singleRow()!
        #expect(try lastError.optionalString(0) == nil)
    }

    @Test func aClientErrorFromTheESMIsTerminal() throws {
        let f = try RelayTestFixture.make()
        defer { f.deleteQueues() }
        let esm = try RelayTestESM(prefix: f.prefix, publishAcks: false)
        let service = try f.service(esm)
        service.start()
        defer { service.stop(grace: .seconds(10)) }
        // The ESM does not know the plant the third one is linked to: 404.
        try f.publishCommands([f.command("bad-1", plant: 2)])
        try waitUntil("it is rejected") { try f.status("bad-1") == "REJECTED" }
        let row = try #require(try f.rows()["bad-1"])
        #expect(row.rejectionReason?.contains("HTTP 404") == true)
        #expect(row.rejectionReason?.contains("is not known to the ESM") == true)
        Thread.sleep(forTimeInterval: 0.3)
        #expect(try f.rows()["bad-1"]?.attempts == 1)  // one call, never retried
        #expect(try f.rows()["bad-1"]?.status == "REJECTED")
        #expect(service.metrics.snapshot().rejectedByESM == 1)
    }

    @Test func expiresWhenValidUntilPassesFirst() throws {
        let f = try RelayTestFixture.make()
        defer { f.deleteQueues() }
        let esm = try RelayTestESM(prefix: f.prefix, publishAcks: false)
        try esm.setDown(true)
        let service = try f.service(esm)
        service.start()
        defer { service.stop(grace: .seconds(10)) }
        try f.publishCommands([f.command("soon-1", validUntil: Date().addingTimeInterval(1))])
        try waitUntil("it expires") { try f.status("soon-1") == "EXPIRED" }
        try esm.setDown(false)
        Thread.sleep(forTimeInterval: 0.3)
        #expect(esm.executions("soon-1") == 0)
        #expect(try f.rows()["soon-1"]?.rejectionReason?.contains("validUntil") == true)
        #expect(service.metrics.snapshot().expired == 1)
    }

    @Test func twoReplicasRelayEachCommandOnce() throws {
        let f = try RelayTestFixture.make()
        defer { f.deleteQueues() }
        let esm = try RelayTestESM(prefix: f.prefix, publishAcks: false)
        var options = RelayTestFixture.options(workers: 3)
        options.relayBatch = 2
        // One consumer may take the whole burst into its prefetch window and hand it all to its
        // own workers; without a grace, the other replica's due search competes for every command.
        options.handoffGrace = .zero
        let replicas = [try f.service(esm, options: options), try f.service(esm, options: options)]
        for replica in replicas { replica.start() }
        defer { for replica in replicas { replica.stop(grace: .seconds(10)) } }
        let ids = (0..<200).map { "replica-\($0)" }
        try f.publishCommands(ids.map { f.command($0, plant: Int.random(in: 0...1)) })
        try waitUntil("all are relayed") { replicas.map { $0.metrics.snapshot().relayed }.reduce(0, +) == 200 }
        Thread.sleep(forTimeInterval: 0.3)
        let calls = esm.allCalls
        #expect(calls.count == 200)
        #expect(calls.values.allSatisfy { $0 == 1 }, "\(calls.filter { $0.value != 1 })")
        // Both replicas took part (competing consumers and workers).
        #expect(replicas.allSatisfy { $0.metrics.snapshot().relayed > 0 })
    }
}
