import ESM
import Foundation
import Observability
import Postgres
import TradingCore

/// Copies the ESM's plant list into the organisation's plants (`POST /plants/sync` and the
/// periodic sync): upserts by the ESM's plant id, marks linked plants the ESM no longer lists as
/// `MISSING`, and records `lastSyncAt`/`lastSyncError` on the configuration. Every write is an
/// idempotent upsert, so two replicas syncing at once do no harm.
public struct PlantSyncService: Sendable {
    public struct Outcome: Sendable, Equatable {
        public var synced: Int
        public var errors: Int
    }

    public let pool: PostgresPool
    public let clients: OrganizationESMClients
    public let logger: Logger
    private let now: @Sendable () -> Date

    public init(pool: PostgresPool, clients: OrganizationESMClients, logger: Logger, now: @escaping @Sendable () -> Date = { Date() }) {
        self.pool = pool
        self.clients = clients
        self.logger = logger
        self.now = now
    }

    /// Syncs one organisation.
    /// - Throws: 400 `ESM_NOT_CONFIGURED` without URL and credentials; the ESM's failure as
    ///   `TradingError.esm` (502 `ESM_UNAVAILABLE` for an outage), after recording it as
    ///   `lastSyncError`.
    public func sync(organizationID: UUID) throws -> Outcome {
        let config = try pool.withConnection { try TradingConfigStore.ensure(organizationID: organizationID, on: $0) }
        let organization = organizationID.uuidString.lowercased()
        let plants: [ESMPlant]
        do {
            guard let client = try clients.client(for: config) else { throw TradingError.esmNotConfigured }
            plants = try client.listPlants()
        } catch let error as ESMError {
            try pool.withConnection {
                try TradingConfigStore.recordSync(organizationID: organizationID, at: now(), error: error.message, on: $0)
            }
            logger.warning("plant sync failed", ["org.id": organization, "esm.error": error.code, "error": error.message])
            throw TradingError.esm(error)
        }
        var synced = 0, problems: [String] = []
        try pool.withConnection { connection in
            for plant in plants {
                guard !plant.id.isEmpty, !plant.name.isEmpty else {
                    problems.append("a plant without id or name")
                    continue
                }
                do {
                    try connection.transaction { connection in
                        try PlantStore.upsertFromESM(organizationID: organizationID, esmPlantID: plant.id, name: plant.name,
                                                     state: plant.state, on: connection)
                    }
                    synced += 1
                } catch let error as PostgresError {
                    problems.append("plant \(plant.id.prefix(64)): \(error.message)")
                }
            }
            try PlantStore.markMissing(organizationID: organizationID, keeping: plants.map(\.id), on: connection)
            let error = problems.isEmpty ? nil : "\(problems.count) plant(s) not synced; first: \(problems[0])"
            try TradingConfigStore.recordSync(organizationID: organizationID, at: now(), error: error, on: connection)
        }
        logger.info("plants synced", ["org.id": organization, "synced": String(synced), "errors": String(problems.count)])
        return Outcome(synced: synced, errors: problems.count)
    }
}
