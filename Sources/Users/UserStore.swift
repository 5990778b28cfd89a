import ExactJSON
import Foundation
import Postgres

/// Users of an organisation in PostgreSQL (`Migrations/0020_users.sql`): create, import (create
/// or update many in one transaction), and look up by id or username.
public struct UserStore: Sendable {
    public enum Failure: Error, Sendable, Equatable, CustomStringConvertible {
        case duplicateUsername(String)
        /// Import records that contradict stored users; nothing was written.
        case conflicts([UserImport.Problem])

        public var description: String {
            switch self {
            case .duplicateUsername(let username): "a user named '\(username)' exists already"
            case .conflicts(let problems): problems.map(\.description).joined(separator: "\n")
            }
        }
    }

    public struct ImportSummary: Sendable, Equatable {
        public let created: Int
        public let updated: Int

        public init(created: Int, updated: Int) {
            self.created = created
            self.updated = updated
        }
    }

    public init() {}

    /// Creates one user. - Throws: `.duplicateUsername` when the organisation has one by that name.
    public func create(_ record: UserImportRecord, organizationID: UUID, on connection: PostgresConnection) throws -> User {
        try connection.transaction { connection in
            let stored = try existing([record], organizationID: organizationID, on: connection)
            if stored.byUsername[record.username.lowercased()] != nil { throw Failure.duplicateUsername(record.username) }
            try checkIDs([record], stored: stored)
            _ = try write([record], organizationID: organizationID, on: connection)
            guard let user = try user(username: record.username, organizationID: organizationID, on: connection) else {
                throw Failure.duplicateUsername(record.username)  // unreachable: inserted in this transaction
            }
            return user
        }
    }

    /// Creates the records' users that do not exist and updates those that do (matched by
    /// username), all in one transaction: either every record is applied or none.
    /// - Throws: `.conflicts` when a record's id belongs to another user, or names an existing
    ///   user under a different id.
    public func importUsers(_ records: [UserImportRecord], organizationID: UUID,
                            on connection: PostgresConnection) throws -> ImportSummary {
        guard !records.isEmpty else { return ImportSummary(created: 0, updated: 0) }
        return try connection.transaction { connection in
            let stored = try existing(records, organizationID: organizationID, on: connection)
            try checkIDs(records, stored: stored)
            return try write(records, organizationID: organizationID, on: connection)
        }
    }

    public func user(id: UUID, organizationID: UUID, on connection: PostgresConnection) throws -> User? {
        try connection.queryPrepared("SELECT \(Self.selectList) FROM users WHERE id = $1 AND organization_id = $2",
                                     [.uuid(id), .uuid(organizationID)]).first.map(Self.decode)
    }

    public func user(username: String, organizationID: UUID, on connection: PostgresConnection) throws -> User? {
        try connection.queryPrepared(
            "SELECT \(Self.selectList) FROM users WHERE organization_id = $1 AND lower(username) = lower($2)",
            [.uuid(organizationID), .text(username)]).first.map(Self.decode)
    }

    /// The user a path or file names: by id when `reference` is a UUID, else by username.
    public func user(reference: String, organizationID: UUID, on connection: PostgresConnection) throws -> User? {
        if let id = UUID(uuidString: reference), let user = try user(id: id, organizationID: organizationID, on: connection) {
            return user
        }
        guard UserImport.usernameProblem(reference) == nil else { return nil }
        return try user(username: reference, organizationID: organizationID, on: connection)
    }

    /// A page of the organisation's users by username, and how many it has in all.
    public func list(organizationID: UUID, offset: Int, limit: Int,
                     on connection: PostgresConnection) throws -> (users: [User], total: Int) {
        let rows = try connection.query(
            "SELECT \(Self.selectList), count(*) OVER () AS total FROM users WHERE organization_id = $1 "
                + "ORDER BY lower(username) OFFSET $2 LIMIT $3",
            [.uuid(organizationID), .int(Int64(offset)), .int(Int64(limit))])
        let total = try rows.first?.int("total")
            ?? connection.query("SELECT count(*)::int8 FROM users WHERE organization_id = $1", [.uuid(organizationID)])[0].int(0)
        return (try rows.map(Self.decode), total)
    }

    // MARK: Writing

    private struct Stored {
        var byUsername: [String: UUID] = [:]
        var usernameByID: [UUID: String] = [:]
    }

    /// The stored users the records name (by username or id), locked until the transaction ends.
    private func existing(_ records: [UserImportRecord], organizationID: UUID, on connection: PostgresConnection) throws -> Stored {
        let rows = try connection.query(
            """
            SELECT id, organization_id, username FROM users
            WHERE (organization_id = $1 AND lower(username) = ANY($2::text[])) OR id = ANY($3::uuid[])
            FOR UPDATE
            """,
            [.uuid(organizationID), .textArray(records.map { $0.username.lowercased() }), .uuidArray(records.compactMap(\.id))])
        var stored = Stored()
        for row in rows {
            let id = try row.uuid("id"), username = try row.string("username")
            // Another organisation's id is reported as taken without saying by whom.
            stored.usernameByID[id] = try row.uuid("organization_id") == organizationID ? username : ""
            if try row.uuid("organization_id") == organizationID { stored.byUsername[username.lowercased()] = id }
        }
        return stored
    }

    private func checkIDs(_ records: [UserImportRecord], stored: Stored) throws {
        var problems: [UserImport.Problem] = []
        for record in records {
            guard let id = record.id else { continue }
            let idText = id.uuidString.lowercased()
            if let storedID = stored.byUsername[record.username.lowercased()], storedID != id {
                problems.append(.init(line: record.line, message: "user '\(record.username)' exists with id \(storedID.uuidString.lowercased()), not \(idText)"))
            } else if let owner = stored.usernameByID[id], owner.lowercased() != record.username.lowercased() {
                problems.append(.init(line: record.line, message: owner.isEmpty ? "id \(idText) is taken" : "id \(idText) belongs to user '\(owner)'"))
            }
        }
        guard problems.isEmpty else { throw Failure.conflicts(problems) }
    }

    /// One statement: updates the records whose username exists (only the fields they give),
    /// inserts the others.
    private func write(_ records: [UserImportRecord], organizationID: UUID, on connection: PostgresConnection) throws -> ImportSummary {
        let documents = records.map { record -> ExactJSON in
            var members = [JSONObject.Member(key: "username", value: .string(record.username))]
            if let id = record.id { members.append(.init(key: "id", value: .string(id.uuidString.lowercased()))) }
            for field in UserField.allCases {
                if let value = record.changes[field] { members.append(.init(key: field.rawValue, value: value.json)) }
            }
            return .object(JSONObject(members))
        }
        let row = try connection.query(Self.writeStatement, [.uuid(organizationID), .jsonb(ExactJSON.array(documents).text)])[0]
        return ImportSummary(created: try row.int("created"), updated: try row.int("updated"))
    }

    private static let writeStatement: String = {
        let updates = UserField.allCases.map { field in
            "\(field.column) = CASE WHEN r ? '\(field.rawValue)' THEN \(valueExpression(field)) ELSE u.\(field.column) END"
        }.joined(separator: ", ")
        let columns = UserField.allCases.map(\.column).joined(separator: ", ")
        let values = UserField.allCases.map { field in
            "CASE WHEN r ? '\(field.rawValue)' THEN \(valueExpression(field)) ELSE \(defaultExpression(field)) END"
        }.joined(separator: ", ")
        return """
            WITH input AS (SELECT r FROM jsonb_array_elements($2::jsonb) AS t(r)),
            updated AS (
                UPDATE users u SET username = r->>'username', \(updates), updated_at = now()
                FROM input WHERE u.organization_id = $1 AND lower(u.username) = lower(r->>'username')
                RETURNING lower(u.username) AS key
            ),
            inserted AS (
                INSERT INTO users (organization_id, id, username, \(columns))
                SELECT $1, coalesce((r->>'id')::uuid, gen_random_uuid()), r->>'username', \(values)
                FROM input WHERE lower(r->>'username') NOT IN (SELECT key FROM updated)
                RETURNING id
            )
            SELECT (SELECT count(*) FROM inserted)::int8 AS created, (SELECT count(*) FROM updated)::int8 AS updated
            """
    }()

    private static func valueExpression(_ field: UserField) -> String {
        switch field.kind {
        case .text: "r->>'\(field.rawValue)'"
        case .decimal: "(r->>'\(field.rawValue)')::numeric"
        case .object: "coalesce(r->'\(field.rawValue)', '{}'::jsonb)"
        }
    }

    private static func defaultExpression(_ field: UserField) -> String {
        switch (field.kind, field) {
        case (_, .status): "'active'"
        case (.object, _): "'{}'::jsonb"
        case (.decimal, _): "NULL::numeric"
        case (.text, _): "NULL::text"
        }
    }

    // MARK: Reading

    static let selectList = (["id", "organization_id", "username"] + UserField.allCases.map(\.column) + ["created_at", "updated_at"])
        .joined(separator: ", ")

    static func decode(_ row: PostgresRow) throws -> User {
        func object(_ column: String) throws -> JSONObject {
            (try ExactJSON.parse(try row.json(column))).objectValue ?? JSONObject([])
        }
        let profile = UserProfile(
            image: try row.optionalString("image"), name: try row.optionalString("name"),
            lastname: try row.optionalString("lastname"), businessName: try row.optionalString("business_name"),
            quota: try row.optionalDecimal("quota"), status: try row.string("status"), phone: try row.optionalString("phone"),
            email: try row.optionalString("email"), nit: try row.optionalString("nit"), address: try row.optionalString("address"),
            score: try row.optionalDecimal("score"), paymentData: try object("payment_data"),
            apnToken: try row.optionalString("apn_token"), ecosystem: try row.optionalString("ecosystem"),
            businessEntity: try row.optionalString("business_entity"), additionalData: try object("additional_data"))
        return User(id: try row.uuid("id"), organizationID: try row.uuid("organization_id"), username: try row.string("username"),
                    profile: profile, createdAt: try row.date("created_at"), updatedAt: try row.date("updated_at"))
    }
}
