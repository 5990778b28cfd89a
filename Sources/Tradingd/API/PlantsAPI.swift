import Foundation
import HTTPServer
import Postgres

/// `GET /api/v1/trading/plants` (DESIGN §6, not in the seed; viewer): the organisation's plants
/// with id, name and ESM link state, paged (`page`, `limit`, `meta`), 400 `BAD_REQUEST` for a bad
/// paging parameter.
public struct PlantsAPI: Sendable {
    public let pool: PostgresPool

    public init(pool: PostgresPool) {
        self.pool = pool
    }

    public func register(on routes: inout some RouteRegistering, prefix: String = "/api/v1/trading") {
        let api = self
        routes.get(prefix + "/plants") { request in
            let principal = try request.principal()
            let page = try PageRequest.parse(request.query)
            let (plants, total) = try api.pool.withConnection {
                try PlantStore.list(organizationID: principal.organizationID, page: page, on: $0)
            }
            return try page.response(data: plants.map(\.json), total: total)
        }
    }
}
