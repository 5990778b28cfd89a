import API
import Domain
import Foundation
import HTTPServer
import Postgres
import Trading
import TradingCore

/// The trading telemetry endpoints of `004_07f66b98a7b58430.txt`:
///
/// - `GET …/plants/{plantId}/telemetry?from=&to=&interval=` — buckets of `interval` minutes
///   (1–60, default 5) aligned on UTC, fields averaged, empty buckets omitted, ascending.
/// - `GET …/plants/{plantId}/meters?from=&to=&interval=` — energy per meter summed per bucket.
/// - `GET …/plants/{plantId}/telemetry/latest` — the newest sample.
///
/// `from`/`to` are RFC 3339 (default: the 24 hours before now); every bucket overlapping
/// `[from, to)` is returned whole. Errors (rendered in the trading envelope by the group's
/// renderer): 400 `BAD_REQUEST` for a bad parameter or plant id (`INVALID_UUID` on `latest`, as
/// the seed shows), 404 `PLANT_NOT_FOUND` for a plant outside the caller's organisation, 404
/// `NO_TELEMETRY` from `latest` when the plant has sent nothing yet.
public struct TelemetryAPI: Sendable {
    public let pool: PostgresPool
    /// The most buckets one response may hold (a range/interval that needs more is a 400).
    public let maximumBuckets: Int
    private let now: @Sendable () -> TelemetryTimestamp
    /// Where the reads run: on the event loop's own connections when they can take them, else
    /// on `pool` from the worker pool.
    let database: LoopDatabase

    /// - Parameter loopConnections: PostgreSQL connections of each event loop (`LoopDatabase`).
    public init(pool: PostgresPool, maximumBuckets: Int = TelemetryQueryWindow.defaultMaximumBuckets, loopConnections: Int = 2,
                now: @escaping @Sendable () -> TelemetryTimestamp = { .now }) {
        self.pool = pool
        self.maximumBuckets = maximumBuckets
        self.now = now
        database = LoopDatabase(pool: pool, connectionsPerLoop: loopConnections)
    }

    /// Registers the three routes. `prefix` is prepended to `/plants/…` (pass `""` inside a group
    /// that already has `/api/v1/trading`); the caller's organisation comes from the principal the
    /// group's authentication put on the request. Each is one statement (`TelemetryQueryStore`).
    public func register(on routes: inout some RouteRegistering, prefix: String = "/api/v1/trading") {
        let api = self
        routes.get(prefix + "/plants/{plantId}/telemetry", database: database, statement: { request in
            TelemetryQueryStore.telemetryJSONQuery(plantID: try request.plantID(), organizationID: try request.principal().organizationID,
                                                   window: try api.window(request))
        }, respond: { _, lookup in try Self.body(lookup) })
        routes.get(prefix + "/plants/{plantId}/telemetry/latest", database: database, statement: { request in
            TelemetryQueryStore.latestQuery(plantID: try request.plantID(code: "INVALID_UUID"),
                                            organizationID: try request.principal().organizationID)
        }, respond: { request, lookup in
            guard case .found(let latest) = lookup else { throw TradingError.plantNotFound }
            guard let latest else { throw TradingError.noTelemetry }
            return Self.json(TelemetryResponseJSON.latest(plantID: try request.plantID(code: "INVALID_UUID"), latest: latest))
        })
        routes.get(prefix + "/plants/{plantId}/meters", database: database, statement: { request in
            TelemetryQueryStore.metersJSONQuery(plantID: try request.plantID(), organizationID: try request.principal().organizationID,
                                                window: try api.window(request))
        }, respond: { _, lookup in try Self.body(lookup) })
    }

    private static func body(_ lookup: TelemetryQueryStore.Lookup<[UInt8]>) throws -> Response {
        guard case .found(let body) = lookup else { throw TradingError.plantNotFound }
        return json(body)
    }

    // MARK: Parameters

    private func window(_ request: Request) throws -> TelemetryQueryWindow {
        let result = TelemetryQueryWindow.parse(
            from: try request.singleQueryValue("from"), to: try request.singleQueryValue("to"),
            interval: try request.singleQueryValue("interval"), now: now(), maximumBuckets: maximumBuckets)
        switch result {
        case .success(let window): return window
        case .failure(let error): throw DomainError.invalid(error.message, field: error.field)
        }
    }

    private static func json(_ body: [UInt8]) -> Response {
        Response(status: 200, headers: ["Content-Type": "application/json"], body: body)
    }
}
