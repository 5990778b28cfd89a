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
        let today = utcDay(now)
        let created = try connection.query(
            "SELECT telemetry_ensure_partitions($1::date, $2::int) AS created",
            [.text(today), .int(Int64(retention.partitionsAhead + 1))]
        ).singleRow()?.int("created") ?? 0
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
