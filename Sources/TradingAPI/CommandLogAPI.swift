import API
import Domain
import Foundation
import HTTPServer
import JSON
import Postgres
import Trading
import TradingCore

/// `GET …/plants/{plantId}/command-log?commandType=&page=&limit=` of `004_07f66b98a7b58430.txt`:
/// the ESM command relay audit trail of one plant, newest first, paged (`page >= 1`, `limit`
/// 1–100, default 20, `meta {page, limit, total, totalPages}`), optionally one command type.
///
/// Errors (rendered in the trading envelope by the group's renderer): 400 `BAD_REQUEST` for a bad
/// plant id, an unknown `commandType` or bad paging; 404 `PLANT_NOT_FOUND` for a plant outside
/// the caller's organisation.
public struct CommandLogAPI: Sendable {
    public let pool: PostgresPool

    public init(pool: PostgresPool) {
        self.pool = pool
    }

    /// Registers the route. `prefix` is prepended to `/plants/…` (pass `""` inside a group that
    /// already has `/api/v1/trading`); the caller's organisation comes from the principal the
    /// group's authentication put on the request.
    public func register(on routes: inout some RouteRegistering, prefix: String = "/api/v1/trading") {
        let api = self
        routes.get(prefix + "/plants/{plantId}/command-log") { request in
            try api.commandLog(request, organizationID: try request.principal().organizationID)
        }
    }

    public func commandLog(_ request: Request, organizationID: UUID) throws -> Response {
        let plantID = try request.plantID(message: "Validation error or invalid UUID")
        let commandType = try Self.commandType(request)
        let page = try PageRequest.parse(request.query)
        let lookup = try pool.withConnection { connection in
            try CommandLogStore.page(plantID: plantID, organizationID: organizationID, commandType: commandType,
                                     window: page.window, on: connection)
        }
        guard case .found(let entries) = lookup else { throw TradingError.plantNotFound }
        return try page.response(entries, TradingJSON.commandLogEntry)
    }

    static func commandType(_ request: Request) throws -> CommandType? {
        guard let text = try request.singleQueryValue("commandType") else { return nil }
        guard let type = CommandType(rawValue: text) else {
            let known = CommandType.allCases.map(\.rawValue).joined(separator: ", ")
            throw DomainError.invalid("commandType must be one of \(known)", field: "commandType")
        }
        return type
    }
}
