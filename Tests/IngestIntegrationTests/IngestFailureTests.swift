import AMQP
import Foundation
@testable import Ingest
import Observability
import Postgres
import Testing
import TestSupport
import TradingCore

/// Poison messages, dead-lettering, database refusals and crashes between commit and ack.
@Suite(.serialized)
struct IngestFailureTests {
    private func sample(_ fixture: IngestTestFixture, plant: Int = 0, secondsAgo: Int64, consumption: Double = 1) -> String {
        var sample = TelemetrySample(plantID: fixture.plants[plant], time: TelemetryTimestamp.now.adding(microseconds: -secondsAgo * 1_000_000))
        sample[.consumption] = consumption
        return telemetryJSON(sample)
    }

    private func header(_ delivery: AMQPDelivery, _ name: String) -> String? {
        delivery.headers[name]?.stringValue
    }

    /// Bad deliveries in the middle of a batch go to the .dlq with their reason; their neighbours
    /// are stored; the queue is left empty.
    @Test func poisonInTheMiddleOfABatchIsDeadLetteredAndNeighboursStored() throws {
        let fixture = try IngestTestFixture.make(plants: 1)
        defer { fixture.deleteQueues() }
        let unknownPlant = UUID().uuidString.lowercased()
        let bodies = [
            sample(fixture, secondsAgo: 10),
            "{not json",
            sample(fixture, secondsAgo: 20),
            "[\(sample(fixture, secondsAgo: 30)),{\"plant_id\":\"\(fixture.plants[0].uuidString)\",\"time\":\"2026-01-01T00:00:00Z\",\"soc\":140},\(sample(fixture, secondsAgo: 40))]",
            "{\"plant_id\":\"\(unknownPlant)\",\"time\":\"2026-01-01T00:00:00Z\"}",
            sample(fixture, secondsAgo: 50),
        ]
        // Published before the consumer starts, so they arrive as one batch.
        try fixture.publish(bodies, to: .telemetry)
        let service = try fixture.service()
        service.start()
        defer { service.stop(grace: .seconds(10)) }
        try fixture.waitForAcks(service, bodies.count)

        #expect(try fixture.count("SELECT count(*) FROM telemetry_samples") == 5)
        #expect(try fixture.readyMessages(fixture.queue(.telemetry)) == 0)
        let letters = try fixture.drain(fixture.deadLetterQueue(.telemetry))
        #expect(letters.count == 3)
        guard letters.count == 3 else { return }
        #expect(letters[0].bodyString == "{not json")
        #expect(header(letters[0], "x-rejection-reason") == "malformed JSON at byte 1: expected a member name in double quotes")
        #expect(header(letters[0], "x-rejection-kind") == "malformed")
        #expect(header(letters[0], "x-original-queue") == fixture.queue(.telemetry))
        #expect(letters[0].properties.contentType == "application/json")
        #expect(letters[1].bodyString == "[{\"plant_id\":\"\(fixture.plants[0].uuidString)\",\"time\":\"2026-01-01T00:00:00Z\",\"soc\":140}]")
        #expect(header(letters[1], "x-rejection-reason") == "element 1: soc 140 is outside 0-100")
        #expect(letters[1].headers["x-rejected-elements"] == .array([.long(1)]))
        #expect(header(letters[2], "x-rejection-reason") == "plant \(unknownPlant) does not exist in this organisation")
        #expect(header(letters[2], "x-rejection-kind") == "unknown_plant")
        let snapshot = service.metrics.snapshot()
        #expect(snapshot.deadLettered[.telemetry] == [.malformed: 1, .outOfRange: 1, .unknownPlant: 1])
    }

    /// A plant created after the consumer cached its organisation's plants is still accepted:
    /// a cache miss asks the database before dead-lettering.
    @Test func plantCreatedWhileRunningIsFound() throws {
        let fixture = try IngestTestFixture.make(plants: 1)
        defer { fixture.deleteQueues() }
        let service = try fixture.service()
        service.start()
        defer { service.stop(grace: .seconds(10)) }
        try fixture.publish([sample(fixture, secondsAgo: 5)], to: .telemetry)
        try fixture.waitForAcks(service, 1)
        let newPlant = try fixture.connect().query(
            "INSERT INTO plants (organization_id, name) VALUES ($1, 'new') RETURNING id", [.uuid(fixture.organizationID)]
        ).singleRow()!.uuid("id")
        try fixture.publish([telemetryJSON(TelemetrySample(plantID: newPlant, time: .now))], to: .telemetry)
        try fixture.waitForAcks(service, 2)
        #expect(try fixture.count("SELECT count(*) FROM telemetry_samples") == 2)
        #expect(try fixture.drain(fixture.deadLetterQueue(.telemetry)).isEmpty)
    }

    /// PostgreSQL refusing one delivery (here a CHECK constraint) does not block the batch:
    /// bisection isolates it, it is dead-lettered with the database's reason, the rest is stored.
    @Test func deliveryRefusedByTheDatabaseIsIsolated() throws {
        let fixture = try IngestTestFixture.make(plants: 2)
        defer { fixture.deleteQueues() }
        try fixture.connect().execute("ALTER TABLE telemetry_samples ADD CONSTRAINT test_poison CHECK (consumption IS DISTINCT FROM 666)")
        var bodies: [String] = []
        for index in 0..<40 { bodies.append(sample(fixture, plant: index % 2, secondsAgo: Int64(index + 1))) }
        bodies.insert(sample(fixture, secondsAgo: 100, consumption: 666), at: 23)
        try fixture.publish(bodies, to: .telemetry)
        let service = try fixture.service()
        service.start()
        defer { service.stop(grace: .seconds(10)) }
        try fixture.waitForAcks(service, bodies.count)

        #expect(try fixture.count("SELECT count(*) FROM telemetry_samples") == 40)
        #expect(try fixture.count("SELECT sum(sample_count) FROM telemetry_minutes") == 40)
        let letters = try fixture.drain(fixture.deadLetterQueue(.telemetry))
        #expect(letters.map(\.bodyString) == [bodies[23]])
        #expect(letters.first.flatMap { header($0, "x-rejection-kind") } == "database")
        #expect(letters.first.flatMap { header($0, "x-rejection-reason") }?.contains("SQLSTATE 23514") == true)
        #expect(service.metrics.snapshot().bisections > 0)
    }

    /// A crash after commit and before ack: the messages come back and storing them again
    /// changes nothing.
    @Test func redeliveryAfterCommitWithoutAckDoesNotDoubleCount() throws {
        let fixture = try IngestTestFixture.make(plants: 2)
        defer { fixture.deleteQueues() }
        var random = IngestRandomData()
        var samples: [TelemetrySample] = []
        for index in 0..<300 { samples.append(random.sample(plant: fixture.plants[index % 2], time: random.time(before: .now, minutes: 10))) }
        var expected = IngestExpectedAggregates()
        for sample in samples { expected.add(sample) }
        let bodies = random.bodies(samples.map(telemetryJSON))
        try fixture.publish(bodies, to: .telemetry)

        // "Crash": consume everything, commit it, and drop the connection without acking.
        do {
            let connection = try TestQueues.connect(name: "ingest-crash")
            let channel = try connection.openChannel()
            try channel.setPrefetch(UInt16(bodies.count))
            try channel.consume(queue: fixture.queue(.telemetry))
            var stored: [TelemetrySample] = []
            for _ in bodies {
                let delivery = try #require(try channel.nextDelivery(timeout: .seconds(10)))
                stored += TelemetryDecoder.decode(delivery.body, now: .now).acceptedItems
            }
            try TelemetryWriter.insert(stored, on: try fixture.connect())
            connection.close()
        }
        try waitUntil("the unacked messages are back") { try fixture.readyMessages(fixture.queue(.telemetry)) == UInt32(bodies.count) }

        let service = try fixture.service()
        service.start()
        defer { service.stop(grace: .seconds(10)) }
        try fixture.waitForAcks(service, bodies.count)
        #expect(try IngestExpectedAggregates.storedTelemetry(try fixture.connect()) == expected.rows)
        #expect(service.metrics.snapshot().stored[.telemetry] ?? 0 == 0)
        #expect(service.metrics.snapshot().duplicates[.telemetry] == expected.uniqueCount)
    }

    /// The database connection dying mid-run: the consumer reconnects and loses nothing.
    @Test func databaseConnectionLossIsRetried() throws {
        let fixture = try IngestTestFixture.make(plants: 1)
        defer { fixture.deleteQueues() }
        let service = try fixture.service()
        service.start()
        defer { service.stop(grace: .seconds(10)) }
        try fixture.publish((1...10).map { sample(fixture, secondsAgo: Int64($0)) }, to: .telemetry)
        try fixture.waitForAcks(service, 10)
        let admin = try fixture.connect()
        let databaseName = try admin.query("SELECT current_database()").singleRow()!.string(0)
        try admin.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()",
                        [.text(databaseName)])
        try fixture.publish((11...20).map { sample(fixture, secondsAgo: Int64($0)) }, to: .telemetry)
        try fixture.waitForAcks(service, 20)
        #expect(try fixture.count("SELECT count(*) FROM telemetry_samples") == 20)
        #expect(try fixture.readyMessages(fixture.queue(.telemetry)) == 0)
    }

    /// PostgreSQL refusing connections for a while: nothing is acked meanwhile, and once it is
    /// back everything is stored exactly once.
    @Test func databaseOutageAcksNothingUntilItIsBack() throws {
        let fixture = try IngestTestFixture.make(plants: 1)
        defer { fixture.deleteQueues() }
        let name = try fixture.connect().query("SELECT current_database()").singleRow()!.string(0)
        let admin = try PostgresConnection(url: try TestServers.databaseURL)  // another database: ours is locked out
        let quoted = try PostgresConnection.quoteIdentifier(name)
        try admin.execute("ALTER DATABASE \(quoted) ALLOW_CONNECTIONS false")
        let service = try fixture.service()
        service.start()
        defer { service.stop(grace: .seconds(10)) }
        try fixture.publish((1...30).map { sample(fixture, secondsAgo: Int64($0)) }, to: .telemetry)
        try waitUntil("the consumer has retried") { service.metrics.snapshot().retries >= 2 }
        #expect(service.metrics.snapshot().deliveriesAcked == 0)
        try admin.execute("ALTER DATABASE \(quoted) ALLOW_CONNECTIONS true")
        try fixture.waitForAcks(service, 30)
        #expect(try fixture.count("SELECT count(*) FROM telemetry_samples") == 30)
        #expect(try fixture.count("SELECT sum(sample_count) FROM telemetry_minutes") == 30)
    }

    /// Stopping finishes the batch in flight and acks it; what was not taken stays queued.
    @Test func stopLeavesNothingHalfDone() throws {
        let fixture = try IngestTestFixture.make(plants: 1)
        defer { fixture.deleteQueues() }
        try fixture.publish((1...500).map { sample(fixture, secondsAgo: Int64($0)) }, to: .telemetry)
        let service = try fixture.service(fixture.options(prefetch: 20))
        service.start()
        try waitUntil("some are stored") { service.metrics.snapshot().deliveriesAcked > 0 }
        #expect(service.stop(grace: .seconds(10)))
        let acked = service.metrics.snapshot().deliveriesAcked
        let stored = try fixture.count("SELECT count(*) FROM telemetry_samples")
        try waitUntil("the rest are ready again") { try fixture.readyMessages(fixture.queue(.telemetry)) == UInt32(500 - acked) }
        #expect(stored == acked)
    }
}
