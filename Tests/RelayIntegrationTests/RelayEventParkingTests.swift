import AMQP
import Foundation
import Messaging
import Observability
import Postgres
@testable import Relay
import Testing
import TestSupport
import TradingCore

/// One organisation's unroutable events never hold back another's, and no transaction stays open
/// while the broker is away (docs/RELIABILITY.md, "One bad event never blocks event delivery").
struct RelayEventParkingTests {
    @Test func anUnroutableEventIsParkedAndOtherOrganisationsEventsStillFlow() throws {
        let f = try RelayTestFixture.make()
        defer { f.deleteQueues() }
        // The fixture's second organisation ("x" + prefix) owns `foreignPlant`.
        let otherPrefix = "x" + f.prefix
        let other = try f.connect().query("SELECT organization_id FROM plants WHERE id = $1", [.uuid(f.foreignPlant)]).singleRow()!.uuid(0)
        let otherQueues = RelayQueues(prefix: otherPrefix)
        let admin = try TestQueues.connect(name: "relay-parking-admin")
        defer {
            for queue in [otherQueues.commands, otherQueues.commandsDeadLetter, otherQueues.acks, otherQueues.acksDeadLetter,
                          otherQueues.events] {
                _ = try? admin.openChannel().deleteQueue(queue)
            }
            admin.close()
        }
        try otherQueues.declare(exchange: "trading", on: try admin.openChannel())
        _ = try admin.openChannel().deleteQueue(f.queues.events)   // the first organisation's P.events is gone

        var options = RelayTestFixture.options(workers: 0)         // recording alone makes events
        options.declareQueues = false
        options.parkedEventRetryInterval = .seconds(3600)
        let esm = try RelayTestESM(prefix: f.prefix, publishAcks: false)
        let service = RelayService(amqpURL: try AMQPURL(f.amqpURL), databaseURL: f.databaseURL,
                                   organizations: [f.organizationID: f.prefix, other: otherPrefix],
                                   esmClients: esm, options: options)
        service.start()
        defer { service.stop(grace: .seconds(10)) }
        try f.publishCommands([f.command("lost-1"), f.command("lost-2")])
        try waitUntil("the first organisation's events are parked") { service.metrics.snapshot().eventsParked == 2 }
        let foreign = f.foreignPlant.uuidString.lowercased()
        try f.publish((1...3).map { #"{"messageId":"flow-\#($0)","plantId":"\#(foreign)","commandType":"MODE_CHANGE","payload":{"mode":"AUTO"}}"# },
                      to: otherQueues.commands)
        try waitUntil("the other organisation's events are published") { service.metrics.snapshot().eventsPublished == 3 }
        #expect(try f.drain(otherQueues.events).count == 3)
        let parked = try f.connect().query("""
            SELECT park_error FROM command_events WHERE organization_id = $1 AND parked_at IS NOT NULL AND published_at IS NULL
            """, [.uuid(f.organizationID)]).map { try $0.optionalString(0) ?? "" }
        #expect(parked.count == 2)
        #expect(parked.allSatisfy { $0.contains("NO_ROUTE") && $0.contains("\(f.prefix).events") }, "\(parked)")
    }

    @Test func noTransactionStaysOpenWhileTheBrokerIsUnreachable() throws {
        let f = try RelayTestFixture.make()
        defer { f.deleteQueues() }
        let database = try f.connect()
        let command = try CommandDecoder.decode(Array(f.command("wait-1").utf8)).get()
        _ = try CommandStore.insert([CommandStore.NewCommand(command: command, plantID: f.plants[0], siteID: nil, status: .pending,
                                                             rejectionReason: nil, routingKey: f.queues.commands)],
                                    organizationID: f.organizationID, queuePrefix: f.prefix, on: database)
        // Nothing listens on port 1: the publisher keeps retrying its connection.
        let publisher = EventOutboxPublisher(amqpURL: AMQPURL(host: "127.0.0.1", port: 1), databaseURL: f.databaseURL,
                                             options: RelayTestFixture.options(), organizationIDs: { [f.organizationID] },
                                             metrics: RelayMetrics(), log: .silent, wakeup: RelayWakeup(waiters: 1))
        publisher.start()
        defer { _ = publisher.thread.stop(by: .now + .seconds(10)) }
        try waitUntil("the publisher has read the event") {
            try database.query("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()")
                .singleRow()!.int(0) >= 1
        }
        Thread.sleep(forTimeInterval: 1)   // well into its reconnect backoff
        let open = try database.query("""
            SELECT count(*) FROM pg_stat_activity
            WHERE datname = current_database() AND pid <> pg_backend_pid() AND xact_start IS NOT NULL
            """).singleRow()!.int(0)
        #expect(open == 0, "a transaction stays open through the broker outage")
        #expect(try f.count("SELECT count(*) FROM command_events WHERE published_at IS NULL") == 1)
    }
}
