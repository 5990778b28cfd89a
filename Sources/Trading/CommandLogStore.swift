import Domain
import Foundation
import Postgres
import TradingCore

/// Reads `command_log` for `GET /plants/{plantId}/command-log`.
public enum CommandLogStore {
    /// One audit entry as the seed's command-log item shows it.
    public struct Entry: Sendable, Equatable {
        public let id: UUID
        public let organizationID: UUID
        public let messageID: String
        public let correlationID: String
        public let commandType: String
        /// The payload object as JSON text.
        public let payloadJSON: String
        public let routingKey: String
        public let siteID: String?
        public let status: String
        public let ackStatus: String?
        public let rejectionReason: String?
        public let executedAt: TelemetryTimestamp?
        public let createdAt: TelemetryTimestamp
    }

    public enum Lookup: Sendable, Equatable {
        case plantNotFound
        case found(Page<Entry>)
    }

    /// One statement that also checks the plant belongs to the organisation: no row means "not
    /// your plant"; a row with a NULL entry means the page is empty.
    static let pageSQL = """
        SELECT t.total, c.id, c.message_id, c.correlation_id, c.command_type, c.payload::text AS payload, c.routing_key,
               c.site_id, c.status, c.ack_status, c.rejection_reason,
               (extract(epoch FROM c.executed_at) * 1000000)::bigint AS executed_at,
               (extract(epoch FROM c.created_at) * 1000000)::bigint AS created_at
        FROM plants AS p
        CROSS JOIN LATERAL (SELECT count(*)::bigint AS total FROM command_log
                            WHERE plant_id = p.id AND organization_id = $2 AND ($3::text IS NULL OR command_type = $3)) AS t
        LEFT JOIN LATERAL (
            SELECT * FROM command_log
            WHERE plant_id = p.id AND organization_id = $2 AND ($3::text IS NULL OR command_type = $3)
            ORDER BY created_at DESC, id DESC
            LIMIT $4 OFFSET $5
        ) AS c ON true
        WHERE p.id = $1 AND p.organization_id = $2
        ORDER BY c.created_at DESC, c.id DESC
        """

    /// Newest first, optionally only one command type.
    public static func page(plantID: UUID, organizationID: UUID, commandType: CommandType?, window: PageWindow,
                            on connection: PostgresConnection) throws -> Lookup {
        let rows = try connection.query(pageSQL, [
            .uuid(plantID), .uuid(organizationID), PostgresValue(commandType?.rawValue), .int(Int64(window.limit)), .int(Int64(window.offset)),
        ])
        guard let first = rows.first else { return .plantNotFound }
        let total = try first.int("total")
        var entries: [Entry] = []
        for row in rows where try !row.isNull("id") {
            entries.append(Entry(
                id: try row.uuid("id"), organizationID: organizationID, messageID: try row.string("message_id"),
                correlationID: try row.string("correlation_id"), commandType: try row.string("command_type"),
                payloadJSON: try row.string("payload"), routingKey: try row.string("routing_key"),
                siteID: try row.optionalString("site_id"), status: try row.string("status"),
                ackStatus: try row.optionalString("ack_status"), rejectionReason: try row.optionalString("rejection_reason"),
                executedAt: try row.optionalInt("executed_at").map { TelemetryTimestamp(microsecondsSinceEpoch: Int64($0)) },
                createdAt: TelemetryTimestamp(microsecondsSinceEpoch: Int64(try row.int("created_at")))))
        }
        return .found(Page(records: entries, total: total))
    }
}
