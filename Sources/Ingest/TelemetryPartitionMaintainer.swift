import Foundation
import Postgres
import TradingCore

/// Keeps the raw tables' daily partitions: creates them `partitionsAhead` days ahead, drops those
/// older than the raw retention, and deletes aggregates older than theirs. Idempotent and safe to
/// run from several replicas at once (the SQL functions take an advisory lock).
public enum TelemetryPartitionMaintainer {
    public struct Outcome: Sendable, Equatable {
        public var partitionsCreated: Int
        public var partitionsDropped: [String]
        public var aggregateRowsDeleted: Int
    }

    /// One pass, for the UTC day of `now`.
    @discardableResult
    public static func run(retention: TelemetryRetention, now: Date = Date(), on connection: PostgresConnection) throws -> Outcome {
        // One day of one table per statement, each its own transaction: a maintainer that fell
        // behind keeps every day it made, even if a later one fails (Migrations/0006).
        var created = 0
        for offset in 0...max(retention.partitionsAhead, 0) {
            let day = utcDay(now.addingTimeInterval(Double(offset) * 86_400))
            for table in ["telemetry_samples", "meter_readings"] {
                let made = try connection.query("SELECT telemetry_ensure_partition($1, $2::date) AS made",
                                                [.text(table), .text(day)]).singleRow()?.bool("made") ?? false
                if made { created += 1 }
            }
        }
        let rawCutoff = utcDay(now.addingTimeInterval(-Double(retention.rawDays) * 86_400))
        let dropped = try connection.query(
            "SELECT telemetry_drop_partitions_before($1::date) AS name", [.text(rawCutoff)]
        ).map { try $0.string("name") }
        let aggregateCutoff = utcDay(now.addingTimeInterval(-Double(retention.aggregateDays) * 86_400))
        let deleted = try connection.query(
            "SELECT telemetry_drop_aggregates_before($1::date::timestamp AT TIME ZONE 'UTC') AS deleted", [.text(aggregateCutoff)]
        ).singleRow()?.int("deleted") ?? 0
        return Outcome(partitionsCreated: created, partitionsDropped: dropped, aggregateRowsDeleted: deleted)
    }

    static func utcDay(_ date: Date) -> String {
        let seconds = Int64(date.timeIntervalSince1970.rounded(.down))
        return String(TelemetryTimestamp(secondsSinceEpoch: seconds).rfc3339.prefix(10))
    }
}
