import Foundation
import Postgres

/// SQL for `trading_configs`. Every function runs on the caller's connection (and transaction).
public enum TradingConfigStore {
    static let columns = """
        id, organization_id, esm_api_url, esm_client_id, esm_client_secret_sealed, queue_prefix, status,
        amqp_password_sealed, last_sync_at, last_sync_error, created_at, updated_at
        """

    /// The organisation's configuration, nil when it has none yet.
    public static func find(organizationID: UUID, on connection: PostgresConnection) throws -> TradingConfigRecord? {
        try connection.query("SELECT \(columns) FROM trading_configs WHERE organization_id = $1", [.uuid(organizationID)])
            .singleRow().map(record)
    }

    /// The organisation's configuration, created DISABLED with the queue prefix set to the
    /// organisation's slug when it has none (or the slug plus a short suffix when another
    /// organisation already uses the slug as its prefix). Safe when two replicas race.
    public static func ensure(organizationID: UUID, on connection: PostgresConnection) throws -> TradingConfigRecord {
        if let existing = try find(organizationID: organizationID, on: connection) { return existing }
        guard let slug = try connection.query("SELECT slug FROM organizations WHERE id = $1", [.uuid(organizationID)])
            .singleRow()?.string(0) else {
            throw TradingError.organizationMissing
        }
        var candidates = [slug]
        for _ in 0..<4 {
            let suffix = UUID().uuidString.prefix(6).lowercased()
            candidates.append(String(slug.prefix(50 - suffix.count - 1)) + "-" + suffix)
        }
        for prefix in candidates {
            do {
                try connection.transaction { connection in
                    _ = try connection.execute(
                        "INSERT INTO trading_configs (organization_id, queue_prefix) VALUES ($1, $2) ON CONFLICT (organization_id) DO NOTHING",
                        [.uuid(organizationID), .text(prefix)])
                }
            } catch let error as PostgresError where error.isUniqueViolation {
                continue  // the prefix belongs to another organisation: try the next candidate
            }
            if let created = try find(organizationID: organizationID, on: connection) { return created }
        }
        throw TradingError.organizationMissing
    }

    /// The fields of a configuration update; nil leaves a field as it is, a `clear…` flag sets
    /// it to NULL.
    public struct Changes: Sendable {
        public var esmAPIURL: String?
        public var esmClientID: String?
        public var esmClientSecretSealed: String?
        public var queuePrefix: String?
        public var clearESMAPIURL = false
        public var clearESMClientID = false
        public var clearESMClientSecret = false

        public init(esmAPIURL: String? = nil, esmClientID: String? = nil, esmClientSecretSealed: String? = nil,
                    queuePrefix: String? = nil) {
            self.esmAPIURL = esmAPIURL
            self.esmClientID = esmClientID
            self.esmClientSecretSealed = esmClientSecretSealed
            self.queuePrefix = queuePrefix
        }
    }

    /// Applies `changes` to an existing row; `updated_at` moves only when a value changes.
    /// - Throws: `TradingError.queuePrefixTaken` when another organisation uses the prefix.
    public static func update(organizationID: UUID, _ changes: Changes, on connection: PostgresConnection) throws -> TradingConfigRecord {
        let row: PostgresRow?
        do {
            row = try connection.query("""
                WITH next AS (
                    SELECT CASE WHEN $6 THEN NULL ELSE coalesce($2, esm_api_url) END AS next_url,
                           CASE WHEN $7 THEN NULL ELSE coalesce($3, esm_client_id) END AS next_client_id,
                           CASE WHEN $8 THEN NULL ELSE coalesce($4, esm_client_secret_sealed) END AS next_secret,
                           coalesce($5, queue_prefix) AS next_prefix
                    FROM trading_configs WHERE organization_id = $1 FOR UPDATE
                )
                UPDATE trading_configs SET
                    esm_api_url = next_url, esm_client_id = next_client_id, esm_client_secret_sealed = next_secret,
                    queue_prefix = next_prefix,
                    updated_at = CASE
                        WHEN (next_url, next_client_id, next_secret, next_prefix)
                             IS DISTINCT FROM (esm_api_url, esm_client_id, esm_client_secret_sealed, queue_prefix)
                        THEN now() ELSE updated_at END
                FROM next
                WHERE organization_id = $1
                RETURNING \(columns)
                """,
                [.uuid(organizationID), PostgresValue(changes.esmAPIURL), PostgresValue(changes.esmClientID),
                 PostgresValue(changes.esmClientSecretSealed), PostgresValue(changes.queuePrefix),
                 .bool(changes.clearESMAPIURL), .bool(changes.clearESMClientID), .bool(changes.clearESMClientSecret)]).singleRow()
        } catch let error as PostgresError where error.isUniqueViolation {
            throw TradingError.queuePrefixTaken
        }
        guard let row else { throw TradingError.organizationMissing }
        return try record(row)
    }

    public static func setStatus(_ status: TradingStatus, organizationID: UUID, on connection: PostgresConnection) throws -> TradingConfigRecord {
        guard let row = try connection.query(
            """
            UPDATE trading_configs SET status = $2, updated_at = CASE WHEN status = $2 THEN updated_at ELSE now() END
            WHERE organization_id = $1 RETURNING \(columns)
            """,
            [.uuid(organizationID), .text(status.rawValue)]).singleRow() else {
            throw TradingError.organizationMissing
        }
        return try record(row)
    }

    /// Stores `candidate` as the partner password unless one is stored already, and returns the
    /// stored one: two replicas enabling at once end up with the same password.
    public static func partnerPassword(organizationID: UUID, candidateSealed: String, on connection: PostgresConnection) throws -> String {
        guard let row = try connection.query("""
            UPDATE trading_configs SET amqp_password_sealed = coalesce(amqp_password_sealed, $2)
            WHERE organization_id = $1 RETURNING amqp_password_sealed
            """, [.uuid(organizationID), .text(candidateSealed)]).singleRow() else {
            throw TradingError.organizationMissing
        }
        return try row.string(0)
    }

    /// Replaces the partner password (credential rotation) or clears it (`nil`, on disable).
    public static func setPartnerPassword(organizationID: UUID, sealed: String?, on connection: PostgresConnection) throws {
        _ = try connection.execute("""
            UPDATE trading_configs SET amqp_password_sealed = $2,
                updated_at = CASE WHEN amqp_password_sealed IS NOT DISTINCT FROM $2 THEN updated_at ELSE now() END
            WHERE organization_id = $1
            """,
                                   [.uuid(organizationID), PostgresValue(sealed)])
    }

    /// Records a sync's outcome: `error` nil clears the last error.
    public static func recordSync(organizationID: UUID, at time: Date, error: String?, on connection: PostgresConnection) throws {
        _ = try connection.execute(
            "UPDATE trading_configs SET last_sync_at = $2, last_sync_error = $3 WHERE organization_id = $1",
            [.uuid(organizationID), .timestamptz(time), PostgresValue(error)])
    }

    /// Every ENABLED configuration (for the periodic sync and consumer reconciliation).
    public static func enabled(on connection: PostgresConnection) throws -> [TradingConfigRecord] {
        try connection.query("SELECT \(columns) FROM trading_configs WHERE status = 'ENABLED' ORDER BY organization_id").map(record)
    }

    static func record(_ row: PostgresRow) throws -> TradingConfigRecord {
        TradingConfigRecord(
            id: try row.uuid("id"), organizationID: try row.uuid("organization_id"),
            esmAPIURL: try row.optionalString("esm_api_url"), esmClientID: try row.optionalString("esm_client_id"),
            esmClientSecretSealed: try row.optionalString("esm_client_secret_sealed"),
            queuePrefix: try row.string("queue_prefix"),
            status: TradingStatus(rawValue: try row.string("status")) ?? .disabled,
            amqpPasswordSealed: try row.optionalString("amqp_password_sealed"),
            lastSyncAt: try row.optionalDate("last_sync_at"), lastSyncError: try row.optionalString("last_sync_error"),
            createdAt: try row.date("created_at"), updatedAt: try row.date("updated_at"))
    }
}
