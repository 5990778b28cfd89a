import ESM
import ESMSimulator
import Foundation
import Messaging
import Postgres
@testable import Relay
import Testing
import TestSupport
import TradingCore

/// Relay leases under slow and hostile ESM answers (docs/RELIABILITY.md, "Relay leases are
/// fenced"): one POST per key when an ESM call outlasts the claim lease, a 409 for a key still in
/// progress is retried rather than REJECTED, and a plantId/siteId pair that disagrees is refused.
struct RelayFencingTests {
    @Test func aFirstESMCallSlowerThanTheLeaseStillSendsEachKeyOnce() throws {
        let f = try RelayTestFixture.make()
        defer { f.deleteQueues() }
        let esm = try RelayTestESM(prefix: f.prefix, publishAcks: false)
        var options = RelayTestFixture.options(workers: 2)
        options.relayBatch = 4
        options.claimLease = .milliseconds(300)
        options.leaseMargin = .seconds(1)
        esm.simulator.delayNextCommands([.milliseconds(1500)])   // the first call outlasts the lease five times
        let service = try f.service(esm, options: options)
        service.start()
        defer { service.stop(grace: .seconds(10)) }
        let ids = (0..<4).map { "slow-\($0)" }
        try f.publishCommands(ids.map { f.command($0) })
        try waitUntil(timeout: .seconds(30), "all are relayed") {
            try f.rows().values.filter { $0.status == "RELAYED" }.count == 4
        }
        Thread.sleep(forTimeInterval: 0.5)  // a second send of any key would show now
        for id in ids {
            #expect(esm.calls(id) == 1, "POSTs for \(id)")
            #expect(esm.keys(id).count == 1, "idempotency keys for \(id)")
        }
        #expect(try f.rows().values.allSatisfy { $0.status == "RELAYED" && $0.attempts == 1 })
        #expect(esm.simulator.stats.commandConflicts == 0)
    }

    @Test func aConflictForAKeyStillInProgressIsRetriedNotRejected() throws {
        let f = try RelayTestFixture.make()
        defer { f.deleteQueues() }
        let esm = try RelayTestESM(prefix: f.prefix, publishAcks: false)
        let recorder = try f.service(esm, options: RelayTestFixture.options(workers: 0))
        recorder.start()
        try f.publishCommands([f.command("busy-1")])
        try waitUntil("it is recorded") { try f.status("busy-1") == "PENDING" }
        _ = recorder.stop(grace: .seconds(10))
        let key = try f.connect().query("SELECT id FROM command_log WHERE message_id = 'busy-1'").singleRow()!.uuid(0)
            .uuidString.lowercased()

        // An earlier attempt with the same key is still being worked on at the ESM.
        esm.simulator.delayNextCommands([.milliseconds(1500)])
        let earlier = Thread {
            _ = try? esm.client.sendCommand(plantID: f.esmPlantIDs[0], command: ESMCommand(
                idempotencyKey: key, messageId: "busy-1", correlationId: "busy-1", commandType: "SITE_SETPOINT",
                payloadJSON: Array(#"{"activePowerKw":125.5}"#.utf8)))
        }
        earlier.start()
        try waitUntil("the earlier request is in progress") { esm.simulator.commands[key] != nil }

        let service = try f.service(esm, options: RelayTestFixture.options(workers: 1))
        service.start()
        defer { service.stop(grace: .seconds(10)) }
        try waitUntil(timeout: .seconds(20), "it is relayed") { try f.status("busy-1") == "RELAYED" }
        let command = try #require(esm.simulator.commands[key])
        #expect(command.conflicts >= 1)   // the relay met the 409 ...
        #expect(command.executed == 1)    // ... and the ESM executed the command once
        #expect(try f.rows()["busy-1"]?.rejectionReason == nil)
    }

    @Test func aSiteIdThatDisagreesWithThePlantIsDeadLettered() throws {
        let f = try RelayTestFixture.make()
        defer { f.deleteQueues() }
        let esm = try RelayTestESM(prefix: f.prefix, publishAcks: false)
        let service = try f.service(esm)
        service.start()
        defer { service.stop(grace: .seconds(10)) }
        let plant = f.plants[0].uuidString.lowercased()
        func body(_ id: String, site: String) -> String {
            #"{"messageId":"\#(id)","plantId":"\#(plant)","siteId":"\#(site)","commandType":"MODE_CHANGE","payload":{"mode":"AUTO"}}"#
        }
        // Plant 0 is ours; the site is plant 1's ESM id (or one nobody has): never sent anywhere.
        try f.publishCommands([body("mix-1", site: f.esmPlantIDs[1]), body("mix-2", site: "X"), body("same-1", site: f.esmPlantIDs[0])])
        try waitUntil("all are handled") {
            let s = service.metrics.snapshot()
            return s.commandsDeadLettered == 2 && s.relayed == 1
        }
        let letters = try f.drain(f.queues.commandsDeadLetter)
        #expect(letters.compactMap { $0.headers[DeadLetter.kindHeader]?.stringValue } == ["plant_site_mismatch", "plant_site_mismatch"])
        let reason = letters.first?.headers[DeadLetter.reasonHeader]?.stringValue ?? ""
        #expect(reason.contains(f.esmPlantIDs[1]) && reason.contains(plant) && reason.contains(f.esmPlantIDs[0]))
        #expect(try f.rows().keys.sorted() == ["same-1"])
        #expect(try f.rows()["same-1"]?.siteID == f.esmPlantIDs[0])
        #expect(esm.allCalls == ["same-1": 1])
    }
}
