import CustomerData
import Foundation
import Postgres

/// Imports reference data (`ReferenceData`) into an organisation's tables, in one transaction:
/// records are matched by code (SKU, CIM value, account number; a contact by id or code),
/// created when new and updated when known. Importing the same file twice changes nothing.
public struct ReferenceDataStore: Sendable {
    public struct Summary: Sendable, Equatable {
        public var currencies = 0, businessUnits = 0, classifications = 0, products = 0, contacts = 0, accounts = 0, cims = 0
    }

    public enum Failure: Error, Sendable, Equatable, CustomStringConvertible {
        case conflicts([String])
        public var description: String {
            switch self {
            case .conflicts(let problems): problems.joined(separator: "\n")
            }
        }
    }

    public init() {}

    public func importData(_ data: ReferenceData, organizationID: UUID, on connection: PostgresConnection) throws -> Summary {
        try connection.transaction { connection in
            var summary = Summary()
            var problems: [String] = []
            if !data.currencies.isEmpty {
                summary.currencies = try connection.execute(
                    "INSERT INTO loyalty_currencies (organization_id, code) SELECT $1, unnest($2::text[]) ON CONFLICT DO NOTHING",
                    [.uuid(organizationID), .textArray(data.currencies)])
            }
            summary.businessUnits = try upsertCoded(data.businessUnits, table: "loyalty_business_units", codeColumn: "code",
                                                    section: "business_units", organizationID: organizationID, on: connection, problems: &problems)
            summary.classifications = try upsertCoded(data.classifications, table: "loyalty_classifications", codeColumn: "code",
                                                      section: "classifications", organizationID: organizationID, on: connection, problems: &problems)
            summary.products = try upsertCoded(data.products, table: "loyalty_products", codeColumn: "sku",
                                               section: "products", organizationID: organizationID, on: connection, problems: &problems)
            try linkParents(data.businessUnits, organizationID: organizationID, on: connection, problems: &problems)
            for (index, contact) in data.contacts.enumerated() {
                guard let id = try upsertContact(contact, path: "contacts[\(index)]", organizationID: organizationID,
                                                 on: connection, problems: &problems) else { continue }
                summary.contacts += 1
                summary.accounts += try upsertAccounts(contact.accounts, contactID: id, on: connection)
                summary.cims += try connection.execute(
                    """
                    INSERT INTO loyalty_identification_media (organization_id, value, contact_id) SELECT $1, unnest($2::text[]), $3
                    ON CONFLICT (organization_id, value) DO UPDATE SET contact_id = excluded.contact_id
                    """, [.uuid(organizationID), .textArray(contact.cims), .uuid(id)])
            }
            guard problems.isEmpty else { throw Failure.conflicts(problems) }
            return summary
        }
    }

    /// Creates or updates (name) classifications, products or business units by code. A record
    /// whose id is given must not contradict a stored one.
    private func upsertCoded(_ records: [ReferenceData.Coded], table: String, codeColumn: String, section: String, organizationID: UUID,
                             on connection: PostgresConnection, problems: inout [String]) throws -> Int {
        guard !records.isEmpty else { return 0 }
        let stored = try connection.query(
            "SELECT id, organization_id, \(codeColumn) FROM \(table) WHERE (organization_id = $1 AND \(codeColumn) = ANY($2::text[])) OR id = ANY($3::uuid[])",
            [.uuid(organizationID), .textArray(records.map(\.code)), .uuidArray(records.compactMap(\.id))])
        var idByCode: [String: UUID] = [:], codeByID: [UUID: String] = [:]
        for row in stored {
            let mine = try row.uuid(1) == organizationID
            if mine { idByCode[try row.string(2)] = try row.uuid(0) }
            codeByID[try row.uuid(0)] = mine ? try row.string(2) : ""
        }
        for (index, record) in records.enumerated() {
            guard let id = record.id else { continue }
            let path = "\(section)[\(index)].id"
            if let storedID = idByCode[record.code], storedID != id {
                problems.append("\(path): \(RequestRefusal.quoted(record.code)) is stored with id \(storedID.uuidString.lowercased()).")
            } else if let code = codeByID[id], code != record.code {
                problems.append("\(path): \(id.uuidString.lowercased()) is taken\(code.isEmpty ? "" : " by \(RequestRefusal.quoted(code))").")
            }
        }
        guard problems.isEmpty else { return 0 }
        return try connection.execute(
            """
            INSERT INTO \(table) (organization_id, id, \(codeColumn), name)
            SELECT $1, coalesce(t.id, gen_random_uuid()), t.code, t.name FROM unnest($2::uuid[], $3::text[], $4::text[]) AS t(id, code, name)
            ON CONFLICT (organization_id, \(codeColumn)) DO UPDATE SET name = excluded.name
            WHERE \(table).name IS DISTINCT FROM excluded.name
            """, [.uuid(organizationID), .uuidArray(records.map(\.id)), .textArray(records.map(\.code)), .textArray(records.map(\.name))])
    }

    /// Sets each imported business unit's parent (by code, in the file or stored), then refuses
    /// parent links that form a cycle.
    private func linkParents(_ units: [ReferenceData.Coded], organizationID: UUID, on connection: PostgresConnection,
                             problems: inout [String]) throws {
        guard !units.isEmpty, problems.isEmpty else { return }
        let known = Set(try connection.query(
            "SELECT code FROM loyalty_business_units WHERE organization_id = $1 AND code = ANY($2::text[])",
            [.uuid(organizationID), .textArray(units.compactMap(\.parentCode))]).map { try $0.string(0) })
        for (index, unit) in units.enumerated() {
            if let parent = unit.parentCode, !known.contains(parent) {
                problems.append("business_units[\(index)].parent: no business unit has code \(RequestRefusal.quoted(parent)).")
            }
        }
        guard problems.isEmpty else { return }
        try connection.execute(
            """
            UPDATE loyalty_business_units u SET parent_id = p.id
            FROM unnest($2::text[], $3::text[]) AS t(code, parent) LEFT JOIN loyalty_business_units p ON p.organization_id = $1 AND p.code = t.parent
            WHERE u.organization_id = $1 AND u.code = t.code AND u.parent_id IS DISTINCT FROM p.id
            """, [.uuid(organizationID), .textArray(units.map(\.code)), .textArray(units.map(\.parentCode))])
        let cycles = try connection.query(
            """
            WITH RECURSIVE walk(start, current, depth) AS (
                SELECT id, parent_id, 1 FROM loyalty_business_units WHERE organization_id = $1 AND parent_id IS NOT NULL
                UNION ALL
                SELECT w.start, u.parent_id, w.depth + 1 FROM walk w JOIN loyalty_business_units u ON u.id = w.current
                WHERE u.parent_id IS NOT NULL AND w.current <> w.start AND w.depth < 100
            )
            SELECT DISTINCT u.code FROM walk w JOIN loyalty_business_units u ON u.id = w.start WHERE w.current = w.start ORDER BY 1
            """, [.uuid(organizationID)])
        for row in cycles {
            problems.append("business_units: the parent links of \(RequestRefusal.quoted(try row.string(0))) form a cycle.")
        }
    }

    /// - Returns: the contact's id, or nil after recording why it cannot be imported.
    private func upsertContact(_ contact: ReferenceData.Contact, path: String, organizationID: UUID,
                               on connection: PostgresConnection, problems: inout [String]) throws -> UUID? {
        let stored = try connection.query(
            """
            SELECT id, organization_id, code FROM loyalty_contacts
            WHERE id = $1::uuid OR (organization_id = $2 AND code = $3::text) ORDER BY (id = $1::uuid) DESC NULLS LAST
            """, [PostgresValue(contact.id), .uuid(organizationID), PostgresValue(contact.code)])
        if let row = stored.first {
            let id = try row.uuid(0)
            guard try row.uuid(1) == organizationID else {
                problems.append("\(path).id: \(id.uuidString.lowercased()) is taken.")
                return nil
            }
            if let given = contact.id, given != id {
                problems.append("\(path).code: \(RequestRefusal.quoted(contact.code ?? "")) belongs to contact \(id.uuidString.lowercased()).")
                return nil
            }
            if stored.count > 1 {
                problems.append("\(path).code: \(RequestRefusal.quoted(contact.code ?? "")) belongs to another contact.")
                return nil
            }
            try connection.execute("UPDATE loyalty_contacts SET code = coalesce($2, code), name = coalesce($3, name) WHERE id = $1",
                                   [.uuid(id), PostgresValue(contact.code), PostgresValue(contact.name)])
            return id
        }
        return try connection.query(
            "INSERT INTO loyalty_contacts (id, organization_id, code, name) VALUES (coalesce($1::uuid, gen_random_uuid()), $2, $3, $4) RETURNING id",
            [PostgresValue(contact.id), .uuid(organizationID), PostgresValue(contact.code), PostgresValue(contact.name)])[0].uuid(0)
    }

    /// Adds the accounts a contact lacks; when one is marked primary, it becomes the only primary one.
    private func upsertAccounts(_ accounts: [ReferenceData.Account], contactID: UUID, on connection: PostgresConnection) throws -> Int {
        guard !accounts.isEmpty else { return 0 }
        let added = try connection.execute(
            "INSERT INTO loyalty_accounts (contact_id, number) SELECT $1, unnest($2::text[]) ON CONFLICT (contact_id, number) DO NOTHING",
            [.uuid(contactID), .textArray(accounts.map(\.number))])
        if let primary = accounts.first(where: \.isPrimary) {
            // Clear first: the partial unique index allows one primary at any moment.
            try connection.execute("UPDATE loyalty_accounts SET is_primary = false WHERE contact_id = $1 AND is_primary AND number <> $2",
                                   [.uuid(contactID), .text(primary.number)])
            try connection.execute("UPDATE loyalty_accounts SET is_primary = true WHERE contact_id = $1 AND number = $2",
                                   [.uuid(contactID), .text(primary.number)])
        }
        return added
    }
}
