import Foundation
@testable import Ingest
import Observability
import Postgres
import Testing
import TestSupport
import TradingCore

/// End to end through the real broker and database: what the consumers store equals what an
/// independent computation over the published data says.
@Suite(.serialized)
struct IngestAggregateTests {
    /// Random samples with duplicates (republished whole), shuffled (out of order), some hours or
    /// days late (older partitions and the DEFAULT one), as single objects and arrays.
    static func randomTelemetry(_ fixture: IngestTestFixture, count: Int) -> (bodies: [String], expected: IngestExpectedAggregates) {
        var random = IngestRandomData()
        let now = TelemetryTimestamp.now
        var samples: [TelemetrySample] = []
        for _ in 0..<count {
            let plant = fixture.plants.randomElement()!
            let minutes: Int64 = switch Int.random(in: 0..<10) {
            case 0: 3 * 24 * 60  // days late
            case 1: 6 * 60  // hours late
            default: 30
            }
            samples.append(random.sample(plant: plant, time: random.time(before: now, minutes: minutes)))
        }
        // Duplicates: republished identical samples, and a second batch of the same instants.
        samples += samples.filter { _ in Int.random(in: 0..<100) < 15 }
        samples.shuffle()
        var expected = IngestExpectedAggregates()
        for sample in samples { expected.add(sample) }
        return (random.bodies(samples.map(telemetryJSON)), expected)
    }

    @Test func telemetryAggregatesEqualAnIndependentComputation() throws {
        let fixture = try IngestTestFixture.make(plants: 4)
        defer { fixture.deleteQueues() }
        let (bodies, expected) = Self.randomTelemetry(fixture, count: 3000)
        // Half before the consumer starts (a cold backlog), half while it runs.
        try fixture.publish(Array(bodies[..<(bodies.count / 2)]), to: .telemetry)
        let service = try fixture.service()
        service.start()
        defer { service.stop(grace: .seconds(10)) }
        try fixture.publish(Array(bodies[(bodies.count / 2)...]), to: .telemetry)
        try fixture.waitForAcks(service, bodies.count)

        let database = try fixture.connect()
        let stored = try IngestExpectedAggregates.storedTelemetry(database)
        #expect(stored.count == expected.rows.count)
        for (key, row) in expected.rows {
            #expect(stored[key] == row, "minute \(key)")
        }
        #expect(try fixture.count("SELECT count(*) FROM telemetry_samples") == expected.uniqueCount)
        #expect(try fixture.count("SELECT count(*) FROM telemetry_samples_default") > 0)  // the days-late ones
        let snapshot = service.metrics.snapshot()
        #expect(snapshot.stored[.telemetry] == expected.uniqueCount)
        #expect((snapshot.stored[.telemetry] ?? 0) + (snapshot.duplicates[.telemetry] ?? 0) == bodies.reduce(0) { n, body in
            n + (body.hasPrefix("[") ? body.components(separatedBy: "\"plant_id\"").count - 1 : 1)
        })

        // The latest snapshot is each plant's newest sample.
        for (plant, sample) in expected.latest {
            let row = try #require(try database.query(
                "SELECT (extract(epoch FROM time) * 1000000)::bigint AS t, consumption, fve_power, fve_reg, grid_power, invertor_power, soc FROM telemetry_latest WHERE plant_id = $1",
                [.uuid(plant)]).singleRow())
            #expect(Int64(try row.int("t")) == sample.time.microsecondsSinceEpoch)
            for field in TelemetryField.allCases {
                #expect(try row.optionalDouble(field.rawValue) == sample[field])
            }
        }
        #expect(try fixture.readyMessages(fixture.queue(.telemetry)) == 0)
        #expect(try fixture.drain(fixture.deadLetterQueue(.telemetry)).isEmpty)
    }

    @Test func meterAggregatesEqualAnIndependentComputation() throws {
        let fixture = try IngestTestFixture.make(plants: 3)
        defer { fixture.deleteQueues() }
        var random = IngestRandomData()
        let now = TelemetryTimestamp.now
        var readings: [MeterReading] = []
        for _ in 0..<1500 {
            readings.append(MeterReading(plantID: fixture.plants.randomElement()!, meterID: ["main", "pv", "ev-1"].randomElement()!,
                                         time: random.time(before: now, minutes: Bool.random() ? 20 : 2000),
                                         energy: random.quarter(-400...4000)))
        }
        readings += readings.filter { _ in Int.random(in: 0..<100) < 20 }
        readings.shuffle()
        var expected = IngestExpectedAggregates()
        for reading in readings { expected.add(reading) }
        let bodies = random.bodies(readings.map(meterJSON))

        let service = try fixture.service()
        service.start()
        defer { service.stop(grace: .seconds(10)) }
        try fixture.publish(bodies, to: .meters)
        try fixture.waitForAcks(service, bodies.count)

        let stored = try IngestExpectedAggregates.storedMeters(try fixture.connect())
        #expect(stored.count == expected.rows.count)
        for (key, row) in expected.rows {
            #expect(stored[key] == row, "meter minute \(key)")
        }
        #expect(try fixture.count("SELECT count(*) FROM meter_readings") == expected.uniqueCount)
    }

    /// Competing consumers (two threads, two connections each) store exactly what one does.
    @Test func twoConsumersOnOneQueueMatchOne() throws {
        let single = try IngestTestFixture.make(plants: 3)
        let double = try IngestTestFixture.make(plants: 0)
        defer {
            single.deleteQueues()
            double.deleteQueues()
        }
        // The second database gets the same plants (ids) so the same bodies are valid in both.
        let second = try double.connect()
        for plant in single.plants {
            try second.execute("INSERT INTO plants (id, organization_id, name) VALUES ($1, $2, 'copy')",
                               [.uuid(plant), .uuid(double.organizationID)])
        }
        let (bodies, expected) = Self.randomTelemetry(single, count: 2000)
        try single.publish(bodies, to: .telemetry)
        try double.publish(bodies, to: .telemetry)

        let one = try single.service(single.options(consumers: 1, prefetch: 50))
        let two = try double.service(double.options(consumers: 2, prefetch: 50))
        one.start()
        two.start()
        defer {
            one.stop(grace: .seconds(10))
            two.stop(grace: .seconds(10))
        }
        try single.waitForAcks(one, bodies.count)
        try double.waitForAcks(two, bodies.count)

        let storedOne = try IngestExpectedAggregates.storedTelemetry(try single.connect())
        let storedTwo = try IngestExpectedAggregates.storedTelemetry(second)
        #expect(storedOne == storedTwo)
        #expect(storedOne == expected.rows)
    }
}
