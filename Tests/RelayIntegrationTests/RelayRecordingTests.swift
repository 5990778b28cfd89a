import AMQP
import Foundation
import Messaging
import Observability
import Postgres
@testable import Relay
import Testing
import TestSupport
import TradingCore

/// The `P.commands` consumer: what is recorded, what is dead-lettered, and redeliveries.
/// No relay workers run here (the ESM is never called).
struct RelayRecordingTests {
    /// An organisation without ESM configuration: any relay attempt would be deferred.
    struct NoESM: ESMClientProvider {
        struct NotConfigured: Error {}
        func client(for organizationID: UUID) throws -> any ESMCommandSending { throw NotConfigured() }
    }

    @Test func recordsCommandsWithTheirDisposition() throws {
        let f = try RelayTestFixture.make()
        defer { f.deleteQueues() }
        let service = try f.service(NoESM(), options: RelayTestFixture.options(workers: 0))
        service.start()
        defer { service.stop(grace: .seconds(10)) }
        try f.publishCommands([
            f.command("set-1"),
            f.command("mode-1", type: "MODE_CHANGE", plant: 1, correlationID: "corr-mode"),
            f.command("device-1", type: "DEVICE_COMMAND", payload: #"{"device":"inverter-1","action":"reboot"}"#),
            f.command("emergency-1", type: "EMERGENCY", payload: "{}"),
            f.command("late-1", validUntil: Date().addingTimeInterval(-5)),
        ])
        try waitUntil("five commands are recorded") { try f.rows().count == 5 }
        let rows = try f.rows()
        #expect(rows["set-1"]?.status == "PENDING")
        #expect(rows["set-1"]?.siteID == f.esmPlantIDs[0])
        #expect(rows["mode-1"]?.status == "PENDING")
        #expect(rows["device-1"]?.status == "REJECTED")
        #expect(rows["device-1"]?.rejectionReason?.contains("DEVICE_COMMAND") == true)
        #expect(rows["emergency-1"]?.status == "REJECTED")
        #expect(rows["late-1"]?.status == "EXPIRED")
        let stored = try f.connect().query(
            "SELECT correlation_id, payload::text AS payload, routing_key, command_type FROM command_log WHERE message_id = 'mode-1'"
        ).singleRow()!
        #expect(try stored.string("correlation_id") == "corr-mode")
        #expect(try stored.string("payload") == #"{"mode": "CHARGE"}"#)
        #expect(try stored.string("routing_key") == f.queues.commands)
        #expect(try stored.string("command_type") == "MODE_CHANGE")
        // No correlationId in the body or properties: the messageId serves.
        #expect(try f.connect().query("SELECT correlation_id FROM command_log WHERE message_id = 'set-1'").singleRow()!.string(0) == "set-1")
        let snapshot = service.metrics.snapshot()
        #expect(snapshot.received == 5)
        #expect(snapshot.rejected == 2)
        #expect(snapshot.expired == 1)
        #expect(try f.drain(f.queues.commands).isEmpty)
    }

    @Test func aRedeliveredCommandIsRecordedOnce() throws {
        let f = try RelayTestFixture.make()
        defer { f.deleteQueues() }
        let service = try f.service(NoESM(), options: RelayTestFixture.options(workers: 0))
        service.start()
        defer { service.stop(grace: .seconds(10)) }
        // The same messageId three times, one of them through the message_id property alone.
        let body = f.command("dup-1")
        let withoutID = body.replacingOccurrences(of: #""messageId":"dup-1","#, with: "")
        try f.publishCommands([body, body])
        try f.publish([withoutID], to: f.queues.commands, properties: .json(messageId: "dup-1"))
        try waitUntil("three deliveries are handled") {
            let s = service.metrics.snapshot()
            return s.received + s.duplicates == 3
        }
        #expect(try f.count("SELECT count(*) FROM command_log") == 1)
        #expect(service.metrics.snapshot().duplicates == 2)
        // One event: the command was recorded once.
        #expect(try f.count("SELECT count(*) FROM command_events") == 1)
    }

    @Test func deadLettersWhatCanNeverBeProcessed() throws {
        let f = try RelayTestFixture.make()
        defer { f.deleteQueues() }
        let service = try f.service(NoESM(), options: RelayTestFixture.options(workers: 0))
        service.start()
        defer { service.stop(grace: .seconds(10)) }
        let foreign = #"{"messageId":"foreign-1","plantId":"\#(f.foreignPlant)","commandType":"MODE_CHANGE","payload":{"mode":"AUTO"}}"#
        let unknownSite = #"{"messageId":"site-1","siteId":"nowhere","commandType":"MODE_CHANGE","payload":{"mode":"AUTO"}}"#
        let knownSite = #"{"messageId":"site-2","siteId":"\#(f.esmPlantIDs[1])","commandType":"MODE_CHANGE","payload":{"mode":"AUTO"}}"#
        try f.publishCommands([
            "not json", f.command("big-1", payload: #"{"activePowerKw":1e9}"#), foreign, unknownSite, knownSite,
            f.command("ok-1"), #"{"messageId":"x","plantId":"\#(f.plants[0])","commandType":"SELF_DESTRUCT","payload":{}}"#,
        ])
        try waitUntil("seven deliveries are handled") {
            let s = service.metrics.snapshot()
            return s.received + s.commandsDeadLettered == 7
        }
        #expect(Set(try f.rows().keys) == ["site-2", "ok-1"])
        #expect(try f.rows()["site-2"]?.siteID == f.esmPlantIDs[1])
        let letters = try f.drain(f.queues.commandsDeadLetter)
        #expect(letters.count == 5)
        let kinds = letters.compactMap { $0.headers[DeadLetter.kindHeader]?.stringValue }
        #expect(kinds.sorted() == ["malformed", "out_of_range", "unknown_command_type", "unknown_plant", "unknown_plant"])
        for letter in letters {
            #expect(letter.headers[DeadLetter.reasonHeader]?.stringValue?.isEmpty == false)
            #expect(letter.headers[DeadLetter.queueHeader]?.stringValue == f.queues.commands)
        }
        #expect(letters.contains { $0.bodyString == "not json" })
        #expect(try f.drain(f.queues.commands).isEmpty)
    }
}
