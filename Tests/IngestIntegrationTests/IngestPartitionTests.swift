import AMQP
import Foundation
@testable import Ingest
import Observability
import Postgres
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
