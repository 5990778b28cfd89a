import API
import Foundation
import HTTPServer
import Trading

/// A plant's ESM configuration and its audit trail (`004`):
///
/// - `GET  …/plants/{plantId}/config` (viewer): the configuration the ESM holds.
/// - `POST …/plants/{plantId}/config` (operator): `{timeConfigs, validateOnly}`, checked locally
///   (DESIGN §6) then sent; answers the config log entry (`isError` when the ESM refused).
/// - `POST …/plants/{plantId}/config/validate` (operator): the same as a dry run, whatever
///   `validateOnly` says; never changes the plant.
/// - `GET  …/plants/{plantId}/config-log` (viewer): the log, newest first, paged.
///
/// Errors: 400 `BAD_REQUEST` for a plant id that is not a UUID, a plant not linked to the ESM, an
/// organisation without ESM configuration, blocks breaking a rule (every violation in
/// `details.violations` with `index` and `field`) or the ESM refusing the request; 404
/// `PLANT_NOT_FOUND` for a plant of another organisation; 502 `ESM_UNAVAILABLE` when the ESM is
/// unreachable, too slow or failing (`details.esmCode`, and `details.configLogId` for a change).
public struct PlantConfigAPI: Sendable {
    public let service: PlantConfigService

    public init(service: PlantConfigService) {
        self.service = service
    }

    public func register(on routes: inout some RouteRegistering, prefix: String = "/api/v1/trading") {
        let api = self
        routes.get(prefix + "/plants/{plantId}/config") { request in
            let principal = try request.principal()
            let plantID = try request.plantID()
            let config = try api.service.current(plantID: plantID, organizationID: principal.organizationID)
            return try Response.json(TradingJSON.plantConfig(config, plantID: plantID))
        }
        routes.post(prefix + "/plants/{plantId}/config") { request in
            try api.change(request, forceValidateOnly: false)
        }
        routes.post(prefix + "/plants/{plantId}/config/validate") { request in
            try api.change(request, forceValidateOnly: true)
        }
        routes.get(prefix + "/plants/{plantId}/config-log") { request in
            let principal = try request.principal()
            let plantID = try request.plantID()
            let page = try PageRequest.parse(request.query)
            let plant = try api.service.plant(plantID, organizationID: principal.organizationID)
            let entries = try api.service.pool.withConnection {
                try PlantConfigLogStore.list(plantID: plant.id, window: page.window, on: $0)
            }
            return try page.response(entries, TradingJSON.configLogEntry)
        }
    }

    private func change(_ request: Request, forceValidateOnly: Bool) throws -> Response {
        let principal = try request.principal()
        try principal.require(.operator)
        let plantID = try request.plantID()
        _ = try service.plant(plantID, organizationID: principal.organizationID)
        let body = try PlantConfigRequest(body: request.body, forceValidateOnly: forceValidateOnly)
        let entry = try service.update(plantID: plantID, organizationID: principal.organizationID, request: body,
                                       requestedBy: principal.tokenID)
        return try Response.json(TradingJSON.configLogEntry(entry))
    }
}
