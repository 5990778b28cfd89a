import Foundation
import Postgres
import Synchronization

/// Which plants exist in which organisation, cached for a short time so that a batch costs no
/// query when its plants were seen recently. A miss always asks the database (a plant created a
/// moment ago is found), so only plants that really do not exist are dead-lettered.
public final class PlantDirectory: Sendable {
    private let ttl: Duration
    /// organisation -> plant -> when the entry expires.
    private let known = Mutex<[UUID: [UUID: ContinuousClock.Instant]]>([:])

    public init(ttl: Duration = .seconds(60)) {
        self.ttl = ttl
    }

    /// The subset of `plantIDs` that belong to `organizationID`.
    public func existing(_ plantIDs: Set<UUID>, organizationID: UUID, connection: PostgresConnection) throws -> Set<UUID> {
        let now = ContinuousClock.now
        var found = Set<UUID>()
        var missing: [UUID?] = []
        known.withLock { known in
            let plants = known[organizationID] ?? [:]
            for id in plantIDs {
                if let expiry = plants[id], expiry > now { found.insert(id) } else { missing.append(id) }
            }
        }
        guard !missing.isEmpty else { return found }
        let rows = try connection.query(
            "SELECT id FROM plants WHERE organization_id = $1 AND id = ANY($2::uuid[])",
            [.uuid(organizationID), .uuidArray(missing)]
        )
        var confirmed: [UUID] = []
        for row in rows { confirmed.append(try row.uuid("id")) }
        let expiry = now.advanced(by: ttl)
        known.withLock { known in
            for id in confirmed { known[organizationID, default: [:]][id] = expiry }
        }
        found.formUnion(confirmed)
        return found
    }

    /// Forgets an organisation's plants (when it is disabled or a plant is deleted).
    public func forget(organizationID: UUID) {
        _ = known.withLock { $0.removeValue(forKey: organizationID) }
    }
}
