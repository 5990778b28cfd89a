import AMQP
import Foundation
@testable import Ingest
import Messaging
import Postgres
import Testing
import TestSupport
import TradingCore

/// A dead letter the broker will not take never stalls the queue (docs/RELIABILITY.md, item 9):
/// its `.dlq` is declared again, or the letter goes minimal, or the original is rejected to the
/// broker's dead-letter exchange; a metric and a log line say so.
struct IngestDeadLetterFallbackTests {
    private func sample(_ fixture: IngestTestFixture, secondsAgo: Int64) -> String {
        let time = TelemetryTimestamp.now.adding(microseconds: -secondsAgo * 1_000_000)
        return #"{"plant_id":"\#(fixture.plants[0].uuidString.lowercased())","time":"\#(time.rfc3339)","soc":50}"#
    }

    private func production(_ fixture: IngestTestFixture) -> IngestOptions {
        var options = fixture.options()
        options.declareQueues = false   // as in production: enabling the organisation declared them
        return options
    }

    @Test func aMissingDeadLetterQueueIsDeclaredAgainAndTheQueueDrains() throws {
        let fixture = try IngestTestFixture.make(plants: 1)
        defer { fixture.deleteQueues() }
        try fixture.declareQueues()
        let admin = try TestQueues.connect(name: "ingest-dlq-admin")
        defer { admin.close() }
        _ = try admin.openChannel().deleteQueue(fixture.deadLetterQueue(.telemetry))
        let service = try fixture.service(production(fixture))
        service.start()
        defer { service.stop(grace: .seconds(10)) }
        try fixture.publish([sample(fixture, secondsAgo: 1), "not json", sample(fixture, secondsAgo: 2)], to: .telemetry)
        try fixture.waitForAcks(service, 3)
        #expect(try fixture.readyMessages(fixture.queue(.telemetry)) == 0)
        #expect(try fixture.count("SELECT count(*) FROM telemetry_samples") == 2)
        let letters = try fixture.drain(fixture.deadLetterQueue(.telemetry))
        #expect(letters.map(\.bodyString) == ["not json"])
        #expect(letters.first?.headers[DeadLetter.kindHeader]?.stringValue == "malformed")
        #expect(service.metrics.snapshot().deadLetterFallbacks == 1)
    }

    @Test func aLetterTheBrokerNacksSendsTheOriginalToTheQueuesDeadLetterExchange() throws {
        let fixture = try IngestTestFixture.make(plants: 1)
        defer { fixture.deleteQueues() }
        let exchange = "dlx-" + fixture.prefix, parking = "parking-" + fixture.prefix
        let admin = try TestQueues.connect(name: "ingest-dlx-admin")
        defer {
            _ = try? admin.openChannel().deleteQueue(parking)
            try? admin.openChannel().deleteExchange(exchange)
            admin.close()
        }
        let channel = try admin.openChannel()
        // Replace the fixture's queues with ones of the shape this test needs.
        _ = try channel.deleteQueue(fixture.queue(.telemetry))
        _ = try channel.deleteQueue(fixture.deadLetterQueue(.telemetry))
        try channel.declareExchange(exchange, type: .fanout, durable: false)
        try channel.declareQueue(parking, durable: false)
        try channel.bindQueue(parking, exchange: exchange, routingKey: "")
        // The inbound queue dead-letters to `exchange` (as the trading.dlx policy does); its .dlq
        // takes nothing (full at length 0, refusing publishes), so every letter is nacked.
        try channel.declareQueue(fixture.queue(.telemetry), durable: true, arguments: .quorumQueue(deadLetterExchange: exchange))
        try channel.declareQueue(fixture.deadLetterQueue(.telemetry), durable: true,
                                 arguments: ["x-max-length": .long(0), "x-overflow": .string("reject-publish")])
        let service = try fixture.service(production(fixture))
        service.start()
        defer { service.stop(grace: .seconds(10)) }
        try fixture.publish([sample(fixture, secondsAgo: 1), "not json", sample(fixture, secondsAgo: 2)], to: .telemetry)
        try fixture.waitForAcks(service, 3)
        #expect(try fixture.readyMessages(fixture.queue(.telemetry)) == 0)
        #expect(try fixture.count("SELECT count(*) FROM telemetry_samples") == 2)
        try waitUntil("the original reached the dead-letter exchange") { try fixture.readyMessages(parking) == 1 }
        #expect(try fixture.drain(parking).map(\.bodyString) == ["not json"])
        #expect(service.metrics.snapshot().deadLetterFallbacks == 2)   // the minimal letter, then the reject
    }
}
