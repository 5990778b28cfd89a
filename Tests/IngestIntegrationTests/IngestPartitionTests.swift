import AMQP
import Foundation
@testable import Ingest
import Observability
import Postgres
import Synchronization
import Testing
import TestSupport
import TradingCore

/// Daily partitions created ahead, rows moved out of the DEFAULT partition, retention of raw rows
/// and, separately and longer, of aggregates.
struct IngestPartitionTests {
    @Test func partitionsAheadRetentionAndDefaultPartition() throws {
        let database = try PostgresConnection(url: try TestDatabase.fresh())
        let plant = UUID()
        let now = Date()
        func sample(daysAgo: Double) -> TelemetrySample {
            var sample = TelemetrySample(plantID: plant, time: TelemetryTimestamp(microsecondsSinceEpoch: Int64((now.timeIntervalSince1970 - daysAgo * 86_400) * 1_000_000)))
            sample[.soc] = 50
            return sample
        }
        // Before any partition exists, everything lands in DEFAULT: old and late samples never fail.
        try TelemetryWriter.insert([sample(daysAgo: 5), sample(daysAgo: 1), sample(daysAgo: 0)], on: database)
        #expect(try database.query("SELECT count(*) FROM telemetry_samples_default").singleRow()!.int(0) == 3)

        let retention = TelemetryRetention(rawDays: 3, aggregateDays: 10, partitionsAhead: 2)
        let first = try TelemetryPartitionMaintainer.run(retention: retention, now: now, on: database)
        #expect(first.partitionsCreated == 6)  // today and two days ahead, for both raw tables
        #expect(first.aggregateRowsDeleted == 0)
        // Today's sample moved out of DEFAULT into today's partition; the 5-day-old one is past
        // raw retention and gone from DEFAULT, but its minute aggregate stays.
        let today = TelemetryPartitionMaintainer.utcDay(now).replacingOccurrences(of: "-", with: "")
        let placement = try database.query("SELECT tableoid::regclass::text FROM telemetry_samples ORDER BY time").map { try $0.string(0) }
        #expect(placement == ["telemetry_samples_default", "telemetry_samples_p\(today)"])
        #expect(try database.query("SELECT count(*) FROM telemetry_minutes").singleRow()!.int(0) == 3)

        // Idempotent.
        #expect(try TelemetryPartitionMaintainer.run(retention: retention, now: now, on: database).partitionsCreated == 0)
        // Samples for future days go to their partitions.
        try TelemetryWriter.insert([sample(daysAgo: -1)], on: database)
        #expect(try database.query("SELECT count(*) FROM telemetry_samples_default").singleRow()!.int(0) == 1)

        // Ten days on: every partition is past raw retention and dropped; aggregates older than
        // ten days are deleted.
        let later = try TelemetryPartitionMaintainer.run(retention: retention, now: now.addingTimeInterval(16 * 86_400), on: database)
        #expect(later.partitionsDropped.count == 6)
        #expect(later.partitionsDropped.contains("telemetry_samples_p\(today)"))
        #expect(try database.query("SELECT count(*) FROM telemetry_samples").singleRow()!.int(0) == 0)
        #expect(later.aggregateRowsDeleted == 4)
    }

    /// A row of the day arrives in DEFAULT while its partition is being made (ingest never
    /// stops): the partition is still attached, with the row in it (docs/RELIABILITY.md, item 4).
    @Test func aPartitionIsMadeWhileARowOfItsDayIsBeingInserted() throws {
        let url = try TestDatabase.fresh()
        let inserter = try PostgresConnection(url: url), maintainer = try PostgresConnection(url: url)
        let day = "2031-05-04"
        // An insert of the day, not yet committed, as a batch in flight would be.
        try inserter.execute("BEGIN")
        try inserter.execute("INSERT INTO telemetry_samples (plant_id, time, soc) VALUES (gen_random_uuid(), '\(day) 10:00:00+00', 50)")
        let finished = DispatchSemaphore(value: 0)
        let outcome = Mutex<Result<Bool, any Error>?>(nil)
        let thread = Thread {
            let result = Result { try maintainer.query("SELECT telemetry_ensure_partition('telemetry_samples', $1::date) AS made",
                                                      [.text(day)]).singleRow()?.bool("made") ?? false }
            outcome.withLock { $0 = result }
            finished.signal()
        }
        thread.start()
        let watcher = try PostgresConnection(url: url)
        try waitUntil("the maintainer waits for the insert's lock") {
            try watcher.query("""
                SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'
                """).singleRow()!.int(0) == 1
        }
        try inserter.execute("COMMIT")
        #expect(finished.wait(timeout: .now() + 30) == .success)
        let result = try #require(outcome.withLock { $0 })
        #expect(try result.get() == true, "\(result)")
        let placement = try watcher.query("SELECT tableoid::regclass::text FROM telemetry_samples").map { try $0.string(0) }
        #expect(placement == ["telemetry_samples_p20310504"])
    }

    /// docs/RELIABILITY.md, item 4: a maintainer that fell behind makes one day per transaction,
    /// so a day that fails (here its name is taken by a domain, 42710) keeps the days made before it.
    @Test func aFailingDayKeepsTheDaysMadeBeforeIt() throws {
        let connection = try PostgresConnection(url: try TestDatabase.fresh())
        try connection.execute("CREATE DOMAIN telemetry_samples_p20310603 AS int")
        let now = try #require(ISO8601DateFormatter().date(from: "2031-06-01T12:00:00Z"))
        #expect(throws: PostgresError.self) {
            try TelemetryPartitionMaintainer.run(retention: TelemetryRetention(partitionsAhead: 3), now: now, on: connection)
        }
        let made = try connection.query("""
            SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
            WHERE c.relkind = 'r' AND c.relname LIKE '%_p203106%' ORDER BY 1
            """).map { try $0.string(0) }
        #expect(made == ["meter_readings_p20310601", "meter_readings_p20310602",
                         "telemetry_samples_p20310601", "telemetry_samples_p20310602"])
    }

    /// The service runs upkeep when it starts, so today's partitions exist before the first batch.
    @Test func serviceCreatesPartitionsOnStart() throws {
        let url = try TestDatabase.fresh()
        let service = IngestService(amqpURL: try AMQPURL(try TestServers.amqpURL), databaseURL: url, organizations: [],
                                        retention: TelemetryRetention(partitionsAhead: 1))
        service.start()
        #expect(service.stop(grace: .seconds(5)))
        let today = TelemetryPartitionMaintainer.utcDay(Date()).replacingOccurrences(of: "-", with: "")
        let names = try PostgresConnection(url: url).query(
            "SELECT relname::text FROM pg_class WHERE relkind = 'r' AND (relname LIKE 'telemetry_samples_p%' OR relname LIKE 'meter_readings_p%') ORDER BY 1"
        ).map { try $0.string(0) }
        #expect(names.count == 4)
        #expect(names.contains("telemetry_samples_p\(today)"))
        #expect(names.contains("meter_readings_p\(today)"))
    }
}
