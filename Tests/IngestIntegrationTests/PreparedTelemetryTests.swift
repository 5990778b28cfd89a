import Foundation
@testable import Ingest
import Postgres
import Testing
import TestSupport
import TradingCore

/// `TelemetryWriter.insert` (the aggregates computed by the writer, `ingest_prepared_telemetry`)
/// against `ingest_telemetry`, PostgreSQL aggregating every row itself: the same batches leave
/// exactly the same raw rows, minute aggregates (sums to the last bit) and latest snapshots,
/// whether a batch is all new, repeats rows of its own, or repeats rows stored before.
@Suite struct PreparedTelemetryTests {
    let database: PostgresConnection
    let plants: [UUID]

    init() throws {
        let database = try PostgresConnection(url: try TestDatabase.fresh())
        self.database = database
        let organization = try database.query("INSERT INTO organizations (slug, name) VALUES ('prepared', 'P') RETURNING id")[0].uuid(0)
        plants = try (0..<5).map { _ in
            try database.query("INSERT INTO plants (organization_id, name) VALUES ($1, 'p') RETURNING id", [.uuid(organization)])[0].uuid(0)
        }
    }

    /// Samples with arbitrary (not exactly summable) values and absent fields, over a few hours
    /// and a few days back (the DEFAULT partition), unordered.
    private func samples(_ count: Int) -> [TelemetrySample] {
        let now = TelemetryTimestamp.now
        return (0..<count).map { index in
            let minutesBack = Int64.random(in: 0..<10) == 0 ? Int64.random(in: 3 * 1440...4 * 1440) : Int64.random(in: 0...180)
            var sample = TelemetrySample(plantID: plants[index % plants.count],
                                         time: now.adding(microseconds: -minutesBack * 60_000_000 - Int64.random(in: 0..<60_000_000)))
            for field in TelemetryField.allCases where Int.random(in: 0..<10) < 8 {
                sample[field] = field == .soc ? Double.random(in: 0...100) : Double.random(in: -50_000...50_000)
            }
            return sample
        }
    }

    /// The old way: every row through `ingest_telemetry`, text arrays.
    private func ingestTelemetry(_ samples: [TelemetrySample]) throws -> Int {
        var columns: [[Double?]] = Array(repeating: [], count: TelemetryField.allCases.count)
        for sample in samples { for (index, value) in sample.values.enumerated() { columns[index].append(value) } }
        // Times as RFC 3339 text with every microsecond (a `Date` could round one away).
        return try database.query(
            "SELECT ingest_telemetry($1, $2::timestamptz[], $3, $4, $5, $6, $7, $8)",
            [.uuidArray(samples.map(\.plantID)), .textArray(samples.map { $0.time.rfc3339 })] + columns.map { .doubleArray($0) })[0].int(0)
    }

    /// Every stored row as text (float8 in its shortest exact form), in key order.
    private func tables() throws -> [String: [String]] {
        try database.execute("SET extra_float_digits = 3")
        defer { _ = try? database.execute("SET extra_float_digits = 1") }
        var result: [String: [String]] = [:]
        for (table, order) in [("telemetry_samples", "plant_id, time"), ("telemetry_minutes", "plant_id, minute"),
                               ("telemetry_latest", "plant_id")] {
            let columns = table == "telemetry_latest" ? "plant_id, time, consumption, fve_power, fve_reg, grid_power, invertor_power, soc"
                : "*"
            result[table] = try database.query("SELECT t::text FROM (SELECT \(columns) FROM \(table) ORDER BY \(order)) t")
                .map { try $0.string(0) }
        }
        return result
    }

    private func reset() throws {
        try database.execute("TRUNCATE telemetry_samples, telemetry_minutes, telemetry_latest")
    }

    @Test func theWritersAggregatesEqualPostgreSQLsOwnForEveryKindOfBatch() throws {
        let first = samples(3000)
        // Repeats within a batch (the first occurrence counts, even with other values) ...
        var repeating = samples(1000)
        for index in stride(from: 0, to: 300, by: 3) {
            var again = repeating[index]
            again[.soc] = 1
            repeating.append(again)
        }
        repeating.shuffle()
        // ... and rows stored by an earlier batch, mixed with new ones.
        let overlapping = (Array(first.prefix(500)) + samples(500)).shuffled()
        let batches = [first, repeating, overlapping, Array(first.suffix(10))]

        var newCounts: [Int] = []
        for batch in batches { newCounts.append(try TelemetryWriter.insert(batch, on: database)) }
        let prepared = try tables()
        try reset()
        var oldCounts: [Int] = []
        for batch in batches { oldCounts.append(try ingestTelemetry(batch)) }
        let old = try tables()

        #expect(newCounts == oldCounts)
        #expect(newCounts[0] == 3000 && newCounts[1] == 1000 && newCounts[3] == 0)
        #expect(newCounts[2] < 1000, "the batch repeating stored rows counts only its new ones")
        for table in ["telemetry_samples", "telemetry_minutes", "telemetry_latest"] {
            #expect(prepared[table]?.count == old[table]?.count, "\(table)")
            #expect(prepared[table] == old[table], "\(table): the first difference is \(zip(prepared[table] ?? [], old[table] ?? []).first { $0 != $1 }.map { "\($0) vs \($1)" } ?? "in the count")")
        }
        #expect((old["telemetry_minutes"]?.count ?? 0) > 100)
    }

    @Test func aBatchWithOneStoredRowIsStoredWholeByTheCarefulPath() throws {
        let stored = samples(1)
        #expect(try TelemetryWriter.insert(stored, on: database) == 1)
        let batch = samples(200) + stored
        #expect(try TelemetryWriter.insert(batch, on: database) == 200)
        #expect(try database.query("SELECT count(*) FROM telemetry_samples")[0].int(0) == 201)
        #expect(try database.query("SELECT sum(sample_count)::int8 FROM telemetry_minutes")[0].int(0) == 201,
                "the aggregates counted every stored row once")
    }

    @Test func minutesAreUTCMinutesFromTheEpoch() {
        #expect(PreparedTelemetryBatch.minute(of: 0) == 0)
        #expect(PreparedTelemetryBatch.minute(of: 59_999_999) == 0)
        #expect(PreparedTelemetryBatch.minute(of: 60_000_000) == 60_000_000)
        #expect(PreparedTelemetryBatch.minute(of: -1) == -60_000_000)
        #expect(PreparedTelemetryBatch.minute(of: 1_764_760_935_123_456) == 1_764_760_920_000_000)
    }
}
