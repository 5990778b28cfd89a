import Foundation
import HTTPServer
import Postgres
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

    public init(pool: PostgresPool, maximumBuckets: Int = TelemetryQueryWindow.defaultMaximumBuckets,
                now: @escaping @Sendable () -> TelemetryTimestamp = { .now }) {
        self.pool = pool
        self.maximumBuckets = maximumBuckets
        self.now = now
    }

    /// Registers the three routes. `prefix` is prepended to `/plants/…` (pass `""` inside a group
    /// that already has `/api/v1/trading`); `organizationID` reads the authenticated caller's
    /// organisation from the request (and throws 401/403 itself when there is none).
    public func register(on routes: inout some RouteRegistering, prefix: String = "/api/v1/trading",
                         organizationID: @escaping @Sendable (Request) throws -> UUID) {
        let api = self
        routes.get(prefix + "/plants/{plantId}/telemetry") { request in
            try api.telemetry(request, organizationID: try organizationID(request))
        }
        routes.get(prefix + "/plants/{plantId}/telemetry/latest") { request in
            try api.latest(request, organizationID: try organizationID(request))
        }
        routes.get(prefix + "/plants/{plantId}/meters") { request in
            try api.meters(request, organizationID: try organizationID(request))
        }
    }

    public func telemetry(_ request: Request, organizationID: UUID) throws -> Response {
        let plantID = try plantID(request, code: "BAD_REQUEST")
        let window = try window(request)
        let lookup = try pool.withConnection { connection in
            try TelemetryQueryStore.telemetryJSON(plantID: plantID, organizationID: organizationID, window: window, on: connection)
        }
        guard case .found(let body) = lookup else { throw Self.plantNotFound }
        return Self.json(body)
    }

    public func meters(_ request: Request, organizationID: UUID) throws -> Response {
        let plantID = try plantID(request, code: "BAD_REQUEST")
        let window = try window(request)
        let lookup = try pool.withConnection { connection in
            try TelemetryQueryStore.metersJSON(plantID: plantID, organizationID: organizationID, window: window, on: connection)
        }
        guard case .found(let body) = lookup else { throw Self.plantNotFound }
        return Self.json(body)
    }

    public func latest(_ request: Request, organizationID: UUID) throws -> Response {
        let plantID = try plantID(request, code: "INVALID_UUID")
        let lookup = try pool.withConnection { connection in
            try TelemetryQueryStore.latest(plantID: plantID, organizationID: organizationID, on: connection)
        }
        guard case .found(let latest) = lookup else { throw Self.plantNotFound }
        guard let latest else {
            throw HTTPError(status: 404, code: "NO_TELEMETRY", message: "No telemetry has been received for this plant yet")
        }
        return Self.json(TelemetryResponseJSON.latest(plantID: plantID, latest: latest))
    }

    // MARK: Parameters

    static let plantNotFound = HTTPError(status: 404, code: "PLANT_NOT_FOUND", message: "Plant not found")

    private func plantID(_ request: Request, code: String) throws -> UUID {
        let text = try request.pathParameter("plantId")
        guard let id = UUID(uuidString: text) else {
            throw HTTPError.badRequest("Invalid plant UUID", code: code, details: ["field": "plantId"])
        }
        return id
    }

    private func window(_ request: Request) throws -> TelemetryQueryWindow {
        func single(_ name: String) throws -> String? {
            let values = request.query.values(for: name)
            guard values.count <= 1 else {
                throw HTTPError.badRequest("\(name) is given more than once", details: ["field": .string(name)])
            }
            return values.first
        }
        let result = TelemetryQueryWindow.parse(from: try single("from"), to: try single("to"), interval: try single("interval"),
                                                now: now(), maximumBuckets: maximumBuckets)
        switch result {
        case .success(let window): return window
        case .failure(let error): throw HTTPError.badRequest(error.message, details: ["field": .string(error.field)])
        }
    }

    private static func json(_ body: [UInt8]) -> Response {
        Response(status: 200, headers: ["Content-Type": "application/json"], body: body)
    }
}
