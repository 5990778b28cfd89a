import AMQP
import Foundation
@testable import Ingest
import Observability
import Postgres
import Testing
import TestSupport
import TradingCore

/// Database refusals that are not the message's fault, and values PostgreSQL would refuse, on
/// the real servers (docs/RELIABILITY.md, items 1, 2 and 13).
struct IngestFaultTests {
    private func sample(_ fixture: IngestTestFixture, secondsAgo: Int64, power: String = "12.5") -> String {
        let time = TelemetryTimestamp.now.adding(microseconds: -secondsAgo * 1_000_000)
        return #"{"plant_id":"\#(fixture.plants[0].uuidString.lowercased())","time":"\#(time.rfc3339)","fve_power":\#(power)}"#
    }

    @Test func aReadOnlyDatabaseDeadLettersNothingAndEverythingIsStoredOnceWritesReturn() throws {
        let fixture = try IngestTestFixture.make(plants: 1)
        defer { fixture.deleteQueues() }
        let name = try fixture.connect().query("SELECT current_database()").singleRow()!.string(0)
        let admin = try PostgresConnection(url: try TestServers.databaseURL)  // our own fresh database only
        let quoted = try PostgresConnection.quoteIdentifier(name)
        try admin.execute("ALTER DATABASE \(quoted) SET default_transaction_read_only = on")
        let service = try fixture.service()
        service.start()
        defer { service.stop(grace: .seconds(10)) }
        let bodies = (1...100).map { sample(fixture, secondsAgo: Int64($0)) }
        try fixture.publish(bodies, to: .telemetry)
        try waitUntil("the writer has failed with 25006 a few times") { service.metrics.snapshot().retries >= 3 }
        let during = service.metrics.snapshot()
        #expect(during.deliveriesAcked == 0)
        #expect(during.deadLettered.isEmpty, "\(during.deadLettered)")
        #expect(try fixture.readyMessages(fixture.deadLetterQueue(.telemetry)) == 0)
        try admin.execute("ALTER DATABASE \(quoted) SET default_transaction_read_only = off")
        try fixture.waitForAcks(service, 100)
        #expect(try fixture.count("SELECT count(*) FROM telemetry_samples") == 100)
        #expect(try fixture.count("SELECT sum(sample_count) FROM telemetry_minutes") == 100)
        #expect(try fixture.readyMessages(fixture.deadLetterQueue(.telemetry)) == 0)
        #expect(service.metrics.snapshot().bisections == 0)
    }

    @Test func hugeValuesAndYearZeroAreRefusedPerElementAndTheRestOfTheArrayIsStored() throws {
        let fixture = try IngestTestFixture.make(plants: 1)
        defer { fixture.deleteQueues() }
        let plant = fixture.plants[0].uuidString.lowercased()
        // Same minute: two 1.7e308 values would overflow the float8 sum (22003); year 0000 is
        // refused by PostgreSQL (22008). Each used to take the whole delivery to the .dlq.
        let array = "[" + [sample(fixture, secondsAgo: 1), sample(fixture, secondsAgo: 1, power: "1.7e308"),
                           sample(fixture, secondsAgo: 1, power: "-1.7e308"),
                           #"{"plant_id":"\#(plant)","time":"0000-06-01T00:00:00Z","fve_power":1}"#].joined(separator: ",") + "]"
        try fixture.publish([array, sample(fixture, secondsAgo: 2)], to: .telemetry)
        let service = try fixture.service()
        service.start()
        defer { service.stop(grace: .seconds(10)) }
        try fixture.waitForAcks(service, 2)
        #expect(try fixture.count("SELECT count(*) FROM telemetry_samples") == 2)
        #expect(try fixture.count("SELECT sum(sample_count) FROM telemetry_minutes") == 2)
        let letters = try fixture.drain(fixture.deadLetterQueue(.telemetry))
        #expect(letters.count == 1)
        let reason = letters.first?.headers["x-rejection-reason"]?.stringValue ?? ""
        #expect(reason.contains("1e+15") || reason.contains("outside"), "\(reason)")
        #expect(reason.contains("before 1970"), "\(reason)")
        #expect(service.metrics.snapshot().bisections == 0)
    }

    @Test func aDeliveryOverTheByteOrElementCapIsRefusedWholeAndTheQueueGoesOn() throws {
        let fixture = try IngestTestFixture.make(plants: 1)
        defer { fixture.deleteQueues() }
        let rules = TelemetryValidationRules.standard
        // Valid JSON throughout: without the caps both would be stored.
        let padded = sample(fixture, secondsAgo: 1) + String(repeating: " ", count: rules.maximumDeliveryBytes)
        let elements = rules.maximumElements + 1
        let array = "[" + (1...elements).map { sample(fixture, secondsAgo: Int64(10 + $0)) }.joined(separator: ",") + "]"
        try fixture.publish([padded, array, sample(fixture, secondsAgo: 2)], to: .telemetry)
        let service = try fixture.service()
        service.start()
        defer { service.stop(grace: .seconds(10)) }
        try fixture.waitForAcks(service, 3)
        #expect(try fixture.count("SELECT count(*) FROM telemetry_samples") == 1)
        let letters = try fixture.drain(fixture.deadLetterQueue(.telemetry))
        #expect(letters.compactMap { $0.headers["x-rejection-kind"]?.stringValue } == ["too_large", "too_large"])
        let reasons = letters.compactMap { $0.headers["x-rejection-reason"]?.stringValue }
        #expect(reasons.first?.contains("\(padded.utf8.count) bytes") == true, "\(reasons)")
        #expect(reasons.last?.contains("\(elements) elements") == true, "\(reasons)")
        #expect(letters.first?.body.count == padded.utf8.count, "the letter keeps the refused delivery")
    }

    @Test func aSampleOlderThanTheRawRetentionIsRefusedSoTheAggregatesNeverCountItTwice() throws {
        let fixture = try IngestTestFixture.make(plants: 1)
        defer { fixture.deleteQueues() }
        let service = IngestService(amqpURL: try AMQPURL(fixture.amqpURL), databaseURL: fixture.databaseURL,
                                    organizations: [fixture.organization], options: fixture.options(),
                                    retention: TelemetryRetention(rawDays: 30, aggregateDays: 400))
        service.start()
        defer { service.stop(grace: .seconds(10)) }
        let old = sample(fixture, secondsAgo: 40 * 86_400), recent = sample(fixture, secondsAgo: 29 * 86_400)
        // Published twice, as a replay after the raw partition was dropped would be.
        try fixture.publish([old, recent, old], to: .telemetry)
        try fixture.waitForAcks(service, 3)
        #expect(try fixture.count("SELECT count(*) FROM telemetry_samples") == 1)
        #expect(try fixture.count("SELECT coalesce(sum(sample_count), 0) FROM telemetry_minutes") == 1)
        let letters = try fixture.drain(fixture.deadLetterQueue(.telemetry))
        #expect(letters.count == 2)
        #expect(letters.allSatisfy { $0.headers["x-rejection-kind"]?.stringValue == "too_old" })
        #expect(letters.first?.headers["x-rejection-reason"]?.stringValue?.contains("raw retention of 30 days") == true)
    }
}
