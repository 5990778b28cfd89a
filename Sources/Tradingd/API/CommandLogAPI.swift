import Foundation
import HTTPServer
import Postgres
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
    /// already has `/api/v1/trading`); `organizationID` reads the authenticated caller's
    /// organisation from the request (and throws 401/403 itself when there is none).
    public func register(on routes: inout some RouteRegistering, prefix: String = "/api/v1/trading",
                         organizationID: @escaping @Sendable (Request) throws -> UUID) {
        let api = self
        routes.get(prefix + "/plants/{plantId}/command-log") { request in
            try api.commandLog(request, organizationID: try organizationID(request))
        }
    }

    public func commandLog(_ request: Request, organizationID: UUID) throws -> Response {
        let text = try request.pathParameter("plantId")
        guard let plantID = UUID(uuidString: text) else {
            throw HTTPError.badRequest("Validation error or invalid UUID", details: ["field": "plantId"])
        }
        let commandType = try Self.commandType(request.query)
        let page = try PageRequest.parse(request.query)
        let lookup = try pool.withConnection { connection in
            try CommandLogStore.page(plantID: plantID, organizationID: organizationID, commandType: commandType,
                                     limit: page.limit, offset: page.offset, on: connection)
        }
        guard case .found(let entries, let total) = lookup else {
            throw HTTPError(status: 404, code: "PLANT_NOT_FOUND", message: "Plant not found")
        }
        return try page.response(data: entries.map(Self.json), total: total)
    }

    static func commandType(_ query: QueryParameters) throws(HTTPError) -> CommandType? {
        let values = query.values(for: "commandType")
        guard values.count <= 1 else {
            throw .badRequest("commandType is given more than once", details: ["field": "commandType"])
        }
        guard let text = values.first else { return nil }
        guard let type = CommandType(rawValue: text) else {
            let known = CommandType.allCases.map(\.rawValue).joined(separator: ", ")
            throw .badRequest("commandType must be one of \(known)", details: ["field": "commandType"])
        }
        return type
    }

    static func json(_ entry: CommandLogStore.Entry) -> JSONValue {
        func optional(_ text: String?) -> JSONValue { text.map(JSONValue.string) ?? .null }
        let payload = (try? JSONDecoder().decode(JSONValue.self, from: Data(entry.payloadJSON.utf8))) ?? .object([:])
        return .object([
            "id": .string(entry.id.uuidString.lowercased()),
            "organizationId": .string(entry.organizationID.uuidString.lowercased()),
            "messageId": .string(entry.messageID),
            "correlationId": .string(entry.correlationID),
            "commandType": .string(entry.commandType),
            "payload": payload,
            "routingKey": .string(entry.routingKey),
            "siteId": optional(entry.siteID),
            "status": .string(entry.status),
            "ackStatus": optional(entry.ackStatus),
            "rejectionReason": optional(entry.rejectionReason),
            "executedAt": optional(entry.executedAt?.rfc3339),
            "createdAt": .string(entry.createdAt.rfc3339),
        ])
    }
}
