import API
import Foundation
import HTTPServer
import JSON
import Postgres
import Trading

/// The organisation's plant list and the ESM plant sync:
///
/// - `GET  …/plants` (DESIGN §6, not in the seed; viewer): id, name and ESM link state, paged
///   (`page`, `limit`, `meta`); 400 `BAD_REQUEST` for a bad paging parameter.
/// - `POST …/plants/sync` (operator): `{synced, errors}`; 400 `ESM_NOT_CONFIGURED` without ESM
///   URL and credentials; 502 `ESM_UNAVAILABLE` when the ESM fails (also recorded as
///   `lastSyncError` on the configuration).
public struct PlantsAPI: Sendable {
    public let pool: PostgresPool
    public let sync: PlantSyncService

    public init(pool: PostgresPool, sync: PlantSyncService) {
        self.pool = pool
        self.sync = sync
    }

    public func register(on routes: inout some RouteRegistering, prefix: String = "/api/v1/trading") {
        let api = self
        routes.get(prefix + "/plants") { request in
            let principal = try request.principal()
            let page = try PageRequest.parse(request.query)
            let plants = try api.pool.withConnection {
                try PlantStore.list(organizationID: principal.organizationID, window: page.window, on: $0)
            }
            return try page.response(plants, TradingJSON.plant)
        }
        routes.post(prefix + "/plants/sync") { request in
            let principal = try request.principal()
            try principal.require(.operator)
            let outcome = try api.sync.sync(organizationID: principal.organizationID)
            return try Response.json(JSONValue.object(["synced": .number(Double(outcome.synced)), "errors": .number(Double(outcome.errors))]))
        }
    }
}
