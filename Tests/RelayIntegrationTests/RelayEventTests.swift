import AMQP
import Foundation
import Messaging
import Observability
import Postgres
@testable import Relay
import Testing
import TestSupport
import TradingCore

/// Status changes reach `P.events` from the outbox, in order per command, and survive a period
/// in which the broker cannot route them (parked, then sent once their queue is back).
struct RelayEventTests {
    private struct Event {
        let commandID: String
        let messageID: String
        let status: String
        let ackStatus: String?
        let revision: Int
        let eventID: String
    }

    private func events(_ deliveries: [AMQPDelivery]) throws -> [Event] {
        try deliveries.map { delivery in
            let object = try #require(try JSONSerialization.jsonObject(with: Data(delivery.body)) as? [String: Any])
            #expect(object["type"] as? String == "command.status")
            #expect(delivery.properties.messageId == "command-event-\(object["eventId"] as? String ?? "")")
            return Event(commandID: object["commandId"] as? String ?? "", messageID: object["messageId"] as? String ?? "",
                         status: object["status"] as? String ?? "", ackStatus: object["ackStatus"] as? String,
                         revision: (object["revision"] as? NSNumber)?.intValue ?? 0, eventID: object["eventId"] as? String ?? "")
        }
    }

    @Test func everyStatusChangeIsPublishedInOrderPerCommand() throws {
        let f = try RelayTestFixture.make()
        defer { f.deleteQueues() }
        let esm = try RelayTestESM(prefix: f.prefix)  // acks ACCEPTED, then EXECUTED
        let service = try f.service(esm)
        service.start()
        defer { service.stop(grace: .seconds(10)) }
        let ids = (0..<10).map { "ev-\($0)" }
        try f.publishCommands(ids.map { f.command($0, correlationID: "c-\($0)") } + [f.command("ev-rejected", type: "EMERGENCY")])
        try waitUntil("41 events are published") { service.metrics.snapshot().eventsPublished == 41 }
        let published = try events(f.drain(f.queues.events))
        #expect(published.count == 41)
        for id in ids {
            let mine = published.filter { $0.messageID == id }
            // The ESM's ACCEPTED may land before the relay records its 202 (it publishes the ack
            // as it answers): both orders are the same changes, each event one step after the last.
            let relayedFirst = mine.map(\.status) == ["PENDING", "RELAYED", "RELAYED", "RELAYED"]
                && mine.map(\.ackStatus) == [nil, nil, "ACCEPTED", "EXECUTED"]
            let ackedFirst = mine.map(\.status) == ["PENDING", "PENDING", "RELAYED", "RELAYED"]
                && mine.map(\.ackStatus) == [nil, "ACCEPTED", "ACCEPTED", "EXECUTED"]
            #expect(relayedFirst || ackedFirst, "\(id): \(mine.map(\.status)) \(mine.map(\.ackStatus))")
            #expect(mine.map(\.revision) == [1, 2, 3, 4], "\(id)")
            #expect(Set(mine.map(\.commandID)).count == 1)
        }
        #expect(published.filter { $0.messageID == "ev-rejected" }.map(\.status) == ["REJECTED"])
        #expect(Set(published.map(\.eventID)).count == 41)
        #expect(try f.count("SELECT count(*) FROM command_events WHERE published_at IS NULL") == 0)
    }

    @Test func eventsWaitWhileTheBrokerCannotTakeThemAndAreNotLost() throws {
        let f = try RelayTestFixture.make()
        defer { f.deleteQueues() }
        let esm = try RelayTestESM(prefix: f.prefix, publishAcks: false)
        var options = RelayTestFixture.options()
        options.declareQueues = false  // the fixture declared them; the test removes P.events
        options.parkedEventRetryInterval = .milliseconds(300)
        let service = try f.service(esm, options: options)
        // No queue takes P.events: every publish comes back unroutable, and is parked.
        let admin = try TestQueues.connect(name: "relay-events-admin")
        defer { admin.close() }
        _ = try admin.openChannel().deleteQueue(f.queues.events)
        service.start()
        defer { service.stop(grace: .seconds(10)) }
        try f.publishCommands([f.command("held-1"), f.command("held-2", type: "MODE_CHANGE")])
        try waitUntil("both are relayed") { service.metrics.snapshot().relayed == 2 }
        try waitUntil("the four events are parked") {
            try f.count("SELECT count(*) FROM command_events WHERE published_at IS NULL AND parked_at IS NOT NULL") == 4
        }
        #expect(service.metrics.snapshot().eventsPublished == 0)
        try f.queues.declare(exchange: "trading", on: try admin.openChannel())
        try waitUntil("the four events are published") { service.metrics.snapshot().eventsPublished == 4 }
        let published = try events(f.drain(f.queues.events))
        #expect(published.map(\.messageID).filter { $0 == "held-1" }.count == 2)
        #expect(published.filter { $0.messageID == "held-1" }.map(\.status) == ["PENDING", "RELAYED"])
        #expect(published.filter { $0.messageID == "held-2" }.map(\.status) == ["PENDING", "RELAYED"])
    }
}
