import Foundation
import Postgres
import TradingCore

/// What an organisation has been doing lately, read for the status page: its ingest rate and lag
/// from the stored data (so every replica shows the same figures), its newest commands and its
/// newest plant configuration requests. The lists walk each plant's own index (`command_log_plant`,
/// `plant_config_log_plant`) rather than adding an organisation-wide one that every relay update
/// would have to maintain.
public enum OrganizationActivityStore {
    /// Samples stored for the last complete minutes, and the newest sample time of any plant.
    public struct IngestActivity: Sendable, Equatable {
        /// Complete minutes counted (the current minute is still filling).
        public static let minutes = 5
        public let samples: Int
        public let meterReadings: Int
        public let newestSample: Date?

        /// Samples per second over the counted minutes.
        public var samplesPerSecond: Double { Double(samples) / Double(Self.minutes * 60) }
        public var readingsPerSecond: Double { Double(meterReadings) / Double(Self.minutes * 60) }

        /// Seconds between the newest sample and `now` (nil before the first sample).
        public func lag(now: Date) -> Double? { newestSample.map { max(now.timeIntervalSince($0), 0) } }
    }

    /// A command of any of the organisation's plants.
    public struct RecentCommand: Sendable, Equatable {
        public let plantName: String
        public let entry: CommandLogStore.Entry
    }

    /// A plant configuration request and the ESM's answer.
    public struct RecentConfigChange: Sendable, Equatable {
        public let plantName: String
        public let entry: PlantConfigLogEntry
    }

    static let ingestSQL = """
        SELECT
            (SELECT coalesce(sum(m.sample_count), 0)::bigint FROM telemetry_minutes AS m JOIN plants AS p ON p.id = m.plant_id
             WHERE p.organization_id = $1 AND m.minute >= date_trunc('minute', now()) - make_interval(mins => $2::int)
               AND m.minute < date_trunc('minute', now())) AS samples,
            (SELECT coalesce(sum(m.reading_count), 0)::bigint FROM meter_minutes AS m JOIN plants AS p ON p.id = m.plant_id
             WHERE p.organization_id = $1 AND m.minute >= date_trunc('minute', now()) - make_interval(mins => $2::int)
               AND m.minute < date_trunc('minute', now())) AS readings,
            (SELECT max(l.time) FROM telemetry_latest AS l JOIN plants AS p ON p.id = l.plant_id
             WHERE p.organization_id = $1) AS newest
        """

    public static func ingestActivity(organizationID: UUID, on connection: PostgresConnection) throws -> IngestActivity {
        let row = try connection.query(ingestSQL, [.uuid(organizationID), .int(Int64(IngestActivity.minutes))])[0]
        return IngestActivity(samples: try row.int("samples"), meterReadings: try row.int("readings"),
                              newestSample: try row.optionalDate("newest"))
    }

    static let commandsSQL = """
        SELECT p.name AS plant_name, c.id, c.message_id, c.correlation_id, c.command_type, c.payload::text AS payload,
               c.routing_key, c.site_id, c.status, c.ack_status, c.rejection_reason,
               (extract(epoch FROM c.executed_at) * 1000000)::bigint AS executed_at,
               (extract(epoch FROM c.created_at) * 1000000)::bigint AS created_at
        FROM plants AS p
        CROSS JOIN LATERAL (SELECT * FROM command_log WHERE plant_id = p.id ORDER BY created_at DESC, id DESC LIMIT $2) AS c
        WHERE p.organization_id = $1
        ORDER BY c.created_at DESC, c.id DESC
        LIMIT $2
        """

    /// The organisation's newest commands, newest first.
    public static func recentCommands(organizationID: UUID, limit: Int, on connection: PostgresConnection) throws -> [RecentCommand] {
        try connection.query(commandsSQL, [.uuid(organizationID), .int(Int64(limit))]).map { row in
            RecentCommand(plantName: try row.string("plant_name"), entry: CommandLogStore.Entry(
                id: try row.uuid("id"), organizationID: organizationID, messageID: try row.string("message_id"),
                correlationID: try row.string("correlation_id"), commandType: try row.string("command_type"),
                payloadJSON: try row.string("payload"), routingKey: try row.string("routing_key"),
                siteID: try row.optionalString("site_id"), status: try row.string("status"),
                ackStatus: try row.optionalString("ack_status"), rejectionReason: try row.optionalString("rejection_reason"),
                executedAt: try row.optionalInt("executed_at").map { TelemetryTimestamp(microsecondsSinceEpoch: Int64($0)) },
                createdAt: TelemetryTimestamp(microsecondsSinceEpoch: Int64(try row.int("created_at")))))
        }
    }

    /// The organisation's newest plant configuration requests, newest first.
    public static func recentConfigChanges(organizationID: UUID, limit: Int,
                                           on connection: PostgresConnection) throws -> [RecentConfigChange] {
        let columns = PlantConfigLogStore.columns.split(separator: ",").map { "l." + $0.trimmingCharacters(in: .whitespacesAndNewlines) }
        let sql = """
            SELECT p.name AS plant_name, \(columns.joined(separator: ", "))
            FROM plants AS p
            CROSS JOIN LATERAL (SELECT * FROM plant_config_log WHERE plant_id = p.id ORDER BY id DESC LIMIT $2) AS l
            WHERE p.organization_id = $1
            ORDER BY l.id DESC
            LIMIT $2
            """
        return try connection.query(sql, [.uuid(organizationID), .int(Int64(limit))]).map { row in
            RecentConfigChange(plantName: try row.string("plant_name"), entry: try PlantConfigLogStore.entry(row))
        }
    }
}
