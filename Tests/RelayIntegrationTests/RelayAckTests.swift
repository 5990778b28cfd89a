import AMQP
import Foundation
import Messaging
import Observability
import Postgres
@testable import Relay
import Testing
import TestSupport
import TradingCore

/// ESM acknowledgements on `P.command-acks`, and the ack timeout.
struct RelayAckTests {
    private func ack(_ correlationID: String, _ status: String, executedAt: String? = nil, reason: String? = nil) -> String {
        var members = [#""correlationId":"\#(correlationID)""#, #""status":"\#(status)""#]
        if let executedAt { members.append(#""executedAt":"\#(executedAt)""#) }
        if let reason { members.append(#""reason":"\#(reason)""#) }
        return "{" + members.joined(separator: ",") + "}"
    }

    @Test func recordsAcksAndDeadLettersUnknownOnes() throws {
        let f = try RelayTestFixture.make()
        defer { f.deleteQueues() }
        let esm = try RelayTestESM(prefix: f.prefix, publishAcks: false)
        let service = try f.service(esm)
        service.start()
        defer { service.stop(grace: .seconds(10)) }
        try f.publishCommands([f.command("a-1", correlationID: "corr-1"), f.command("a-2", correlationID: "corr-2")])
        try waitUntil("both are relayed") { service.metrics.snapshot().relayed == 2 }
        try f.publish([ack("corr-1", "ACCEPTED"), ack("corr-1", "EXECUTED", executedAt: "2026-01-01T10:00:05Z"),
                       ack("corr-1", "ACCEPTED"),  // late and out of order: must not replace EXECUTED
                       ack("corr-2", "FAILED", reason: "battery offline"), ack("nobody", "EXECUTED"), "{broken"],
                      to: f.queues.acks)
        try waitUntil("six acks are handled") {
            let s = service.metrics.snapshot()
            return s.acksRecorded + s.acksDeadLettered == 5
        }
        Thread.sleep(forTimeInterval: 0.2)
        let rows = try f.rows()
        #expect(rows["a-1"]?.ackStatus == "EXECUTED")
        #expect(rows["a-2"]?.ackStatus == "FAILED")
        #expect(rows["a-2"]?.rejectionReason == "battery offline")
        #expect(rows["a-2"]?.status == "RELAYED")
        let executedAt = try f.connect().query("SELECT executed_at FROM command_log WHERE message_id = 'a-1'").singleRow()!.optionalDate(0)
        #expect(executedAt == Date(timeIntervalSince1970: 1_767_261_605))
        let letters = try f.drain(f.queues.acksDeadLetter)
        #expect(letters.map { $0.headers[DeadLetter.kindHeader]?.stringValue ?? "" }.sorted() == ["malformed", "unknown_command"])
        #expect(letters.contains { $0.headers[DeadLetter.reasonHeader]?.stringValue?.contains("nobody") == true })
        #expect(service.metrics.snapshot().ackLatency.count == 3)
    }

    @Test func anAckArrivingBeforeTheRelayResponseIsKept() throws {
        let f = try RelayTestFixture.make()
        defer { f.deleteQueues() }
        // The simulator publishes its acks as it answers 202: they race the relay's commit.
        let esm = try RelayTestESM(prefix: f.prefix)
        let service = try f.service(esm)
        service.start()
        defer { service.stop(grace: .seconds(10)) }
        try f.publishCommands([f.command("early-1", correlationID: "early-corr")])
        try waitUntil("relayed and acked") {
            let row = try f.rows()["early-1"]
            return row?.status == "RELAYED" && row?.ackStatus == "EXECUTED"
        }
        Thread.sleep(forTimeInterval: 0.3)
        let row = try #require(try f.rows()["early-1"])
        #expect(row.status == "RELAYED")
        #expect(row.ackStatus == "EXECUTED")
        #expect(try f.drain(f.queues.acksDeadLetter).isEmpty)
    }

    @Test func commandsWithoutAnAckTimeOut() throws {
        let f = try RelayTestFixture.make()
        defer { f.deleteQueues() }
        let esm = try RelayTestESM(prefix: f.prefix, publishAcks: false)
        var options = RelayTestFixture.options()
        options.ackTimeout = .milliseconds(300)
        let service = try f.service(esm, options: options)
        service.start()
        defer { service.stop(grace: .seconds(10)) }
        try f.publishCommands([f.command("silent-1", correlationID: "s-1"), f.command("answered-1", correlationID: "s-2")])
        try waitUntil("both are relayed") { service.metrics.snapshot().relayed == 2 }
        try f.publish([ack("s-2", "ACCEPTED")], to: f.queues.acks)
        try waitUntil("the silent one times out") { try f.rows()["silent-1"]?.ackStatus == "TIMEOUT" }
        Thread.sleep(forTimeInterval: 0.4)
        #expect(try f.rows()["answered-1"]?.ackStatus == "ACCEPTED")
        #expect(service.metrics.snapshot().ackTimeouts == 1)
        // A late ack still tells the truth.
        try f.publish([ack("s-1", "EXECUTED")], to: f.queues.acks)
        try waitUntil("the late ack replaces TIMEOUT") { try f.rows()["silent-1"]?.ackStatus == "EXECUTED" }
    }
}
