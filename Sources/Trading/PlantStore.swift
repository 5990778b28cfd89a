import Domain
import Foundation
import Postgres

/// A plant as the trading API shows it.
public struct PlantRecord: Sendable, Equatable {
    public var id: UUID
    public var organizationID: UUID
    public var name: String
    /// The ESM's id of the plant; nil when the plant is not linked to the ESM.
    public var esmPlantID: String?
    /// The state the ESM reported at the last sync.
    public var esmState: String?
    public var createdAt: Date
    public var updatedAt: Date

    public var isLinked: Bool { esmPlantID != nil }
}

/// SQL for the organisation's plants as the trading API and the ESM sync see them.
public enum PlantStore {
    static let columns = "id, organization_id, name, esm_plant_id, esm_state, created_at, updated_at"

    /// One page of the organisation's plants by name, and how many there are in all.
    public static func list(organizationID: UUID, window: PageWindow, on connection: PostgresConnection) throws -> Page<PlantRecord> {
        let total = try connection.query("SELECT count(*) FROM plants WHERE organization_id = $1", [.uuid(organizationID)])[0].int(0)
        let rows = try connection.query(
            "SELECT \(columns) FROM plants WHERE organization_id = $1 ORDER BY name, id LIMIT $2 OFFSET $3",
            [.uuid(organizationID), .int(Int64(window.limit)), .int(Int64(window.offset))])
        return Page(records: try rows.map(record), total: total)
    }

    /// The plant when it belongs to the organisation; nil otherwise (another organisation's plant
    /// looks exactly like a missing one).
    public static func find(plantID: UUID, organizationID: UUID, on connection: PostgresConnection) throws -> PlantRecord? {
        try connection.query("SELECT \(columns) FROM plants WHERE id = $1 AND organization_id = $2",
                             [.uuid(plantID), .uuid(organizationID)]).singleRow().map(record)
    }

    /// Inserts or updates the plant the ESM knows as `esmPlantID`; a no-op when nothing changed.
    /// Safe when two replicas sync at once (one statement on the unique key).
    public static func upsertFromESM(organizationID: UUID, esmPlantID: String, name: String, state: String?,
                                     on connection: PostgresConnection) throws {
        _ = try connection.execute("""
            INSERT INTO plants (organization_id, name, esm_plant_id, esm_state) VALUES ($1, $2, $3, $4)
            ON CONFLICT (organization_id, esm_plant_id) DO UPDATE SET
                name = excluded.name, esm_state = excluded.esm_state, updated_at = now()
            WHERE plants.name IS DISTINCT FROM excluded.name OR plants.esm_state IS DISTINCT FROM excluded.esm_state
            """, [.uuid(organizationID), .text(name), .text(esmPlantID), PostgresValue(state)])
    }

    /// Marks linked plants that the ESM no longer lists (`esm_state = 'MISSING'`); the link and the
    /// plant's data stay. Returns how many changed.
    @discardableResult
    public static func markMissing(organizationID: UUID, keeping esmPlantIDs: [String], on connection: PostgresConnection) throws -> Int {
        try connection.execute("""
            UPDATE plants SET esm_state = 'MISSING', updated_at = now()
            WHERE organization_id = $1 AND esm_plant_id IS NOT NULL AND NOT (esm_plant_id = ANY ($2))
              AND esm_state IS DISTINCT FROM 'MISSING'
            """, [.uuid(organizationID), .textArray(esmPlantIDs)])
    }

    static func record(_ row: PostgresRow) throws -> PlantRecord {
        PlantRecord(id: try row.uuid("id"), organizationID: try row.uuid("organization_id"), name: try row.string("name"),
                    esmPlantID: try row.optionalString("esm_plant_id"), esmState: try row.optionalString("esm_state"),
                    createdAt: try row.date("created_at"), updatedAt: try row.date("updated_at"))
    }
}
