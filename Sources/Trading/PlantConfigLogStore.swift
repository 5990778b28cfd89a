import Domain
import Foundation
import Postgres

/// One row of `plant_config_log`: a configuration request and the ESM's answer.
public struct PlantConfigLogEntry: Sendable, Equatable {
    public var id: Int
    public var plantID: UUID
    public var requestedBy: UUID?
    public var validateOnly: Bool
    /// The request as sent (`{"timeConfigs": [...], "validateOnly": ...}`), JSON text.
    public var configSnapshot: String
    public var requestCode: String?
    public var resultCode: String?
    public var isError: Bool
    public var isTerminal: Bool
    public var message: String?
    public var sentAt: Date?
    public var respondedAt: Date?
    public var createdAt: Date
}

/// SQL for `plant_config_log`.
public enum PlantConfigLogStore {
    static let columns = """
        id, plant_id, requested_by, validate_only, config_snapshot::text AS config_snapshot, request_code, result_code,
        is_error, is_terminal, message, sent_at, responded_at, created_at
        """

    /// Records a request before it is sent (`sentAt` set) or one refused locally (`sentAt` nil,
    /// outcome filled in at once).
    public static func insert(organizationID: UUID, plantID: UUID, requestedBy: UUID?, validateOnly: Bool, snapshot: String,
                              sentAt: Date?, outcome: Outcome? = nil, on connection: PostgresConnection) throws -> PlantConfigLogEntry {
        let row = try connection.query("""
            INSERT INTO plant_config_log (organization_id, plant_id, requested_by, validate_only, config_snapshot, sent_at,
                                          request_code, result_code, is_error, is_terminal, message, responded_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, coalesce($9, false), coalesce($10, false), $11, $12)
            RETURNING \(columns)
            """, [.uuid(organizationID), .uuid(plantID), PostgresValue(requestedBy), .bool(validateOnly), .jsonb(snapshot),
                  PostgresValue(sentAt), PostgresValue(outcome?.requestCode), PostgresValue(outcome?.resultCode),
                  PostgresValue(outcome?.isError), PostgresValue(outcome?.isTerminal), PostgresValue(outcome?.message),
                  PostgresValue(outcome?.respondedAt)])
        return try entry(row[0])
    }

    /// What the ESM answered (or why it could not be asked).
    public struct Outcome: Sendable, Equatable {
        public var requestCode: String?
        public var resultCode: String?
        public var isError: Bool
        public var isTerminal: Bool
        public var message: String?
        /// When the ESM's answer arrived; nil when it never answered (unreachable, timeout).
        public var respondedAt: Date?

        public init(requestCode: String?, resultCode: String?, isError: Bool, isTerminal: Bool, message: String?, respondedAt: Date?) {
            self.requestCode = requestCode
            self.resultCode = resultCode
            self.isError = isError
            self.isTerminal = isTerminal
            self.message = message
            self.respondedAt = respondedAt
        }
    }

    public static func complete(id: Int, _ outcome: Outcome, on connection: PostgresConnection) throws -> PlantConfigLogEntry {
        let row = try connection.query("""
            UPDATE plant_config_log SET request_code = $2, result_code = $3, is_error = $4, is_terminal = $5, message = $6,
                responded_at = $7
            WHERE id = $1 RETURNING \(columns)
            """, [.int(Int64(id)), PostgresValue(outcome.requestCode), PostgresValue(outcome.resultCode), .bool(outcome.isError),
                  .bool(outcome.isTerminal), PostgresValue(outcome.message), PostgresValue(outcome.respondedAt)])
        return try entry(row[0])
    }

    /// One page of a plant's log, newest first, and the plant's total.
    public static func list(plantID: UUID, window: PageWindow, on connection: PostgresConnection) throws -> Page<PlantConfigLogEntry> {
        let total = try connection.query("SELECT count(*) FROM plant_config_log WHERE plant_id = $1", [.uuid(plantID)])[0].int(0)
        let rows = try connection.query(
            "SELECT \(columns) FROM plant_config_log WHERE plant_id = $1 ORDER BY id DESC LIMIT $2 OFFSET $3",
            [.uuid(plantID), .int(Int64(window.limit)), .int(Int64(window.offset))])
        return Page(records: try rows.map(entry), total: total)
    }

    static func entry(_ row: PostgresRow) throws -> PlantConfigLogEntry {
        PlantConfigLogEntry(
            id: try row.int("id"), plantID: try row.uuid("plant_id"), requestedBy: try row.optionalUUID("requested_by"),
            validateOnly: try row.bool("validate_only"), configSnapshot: try row.string("config_snapshot"),
            requestCode: try row.optionalString("request_code"), resultCode: try row.optionalString("result_code"),
            isError: try row.bool("is_error"), isTerminal: try row.bool("is_terminal"), message: try row.optionalString("message"),
            sentAt: try row.optionalDate("sent_at"), respondedAt: try row.optionalDate("responded_at"),
            createdAt: try row.date("created_at"))
    }
}
