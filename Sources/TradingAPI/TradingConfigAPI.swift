import API
import Foundation
import HTTPServer
import JSON
import Trading

/// The trading configuration endpoints of `004_07f66b98a7b58430.txt`:
///
/// - `GET  …/config` (viewer): the configuration, `hasEsmCredentials` instead of the secret.
/// - `POST …/config` (admin): create or update; 400 `VALIDATION_ERROR` with every violation in
///   `details.violations` (`esmApiUrl` refused by the outbound URL guard with its precise reason).
/// - `POST …/config/enable` (admin): 400 `TRADING_CONFIG_INCOMPLETE` unless URL, client id and
///   secret are set; declares the queues, the partner user, starts consumers. Idempotent.
/// - `POST …/config/disable` (admin): stops consumers, deletes queues and user. Idempotent.
/// - `GET  …/connection-details` (viewer): where and how a partner connects.
/// - `POST …/connection-details/credentials` (admin, not in the seed): issues the partner's
///   password, shown once (a new one each call; the previous one stops working).
///
/// Broker failures answer 503 `BROKER_UNAVAILABLE` with the failed step.
public struct TradingConfigAPI: Sendable {
    public let service: TradingService

    public init(service: TradingService) {
        self.service = service
    }

    /// Registers the routes; `prefix` is prepended (`""` inside the trading group).
    public func register(on routes: inout some RouteRegistering, prefix: String = "/api/v1/trading") {
        let api = self
        routes.get(prefix + "/config") { request in
            let principal = try request.principal()
            return try Response.json(TradingJSON.config(try api.service.config(organizationID: principal.organizationID)))
        }
        routes.post(prefix + "/config") { request in
            let principal = try request.principal()
            try principal.require(.admin)
            let update = try TradingConfigUpdate(body: request.body)
            return try Response.json(TradingJSON.config(try api.service.update(organizationID: principal.organizationID, update)))
        }
        routes.post(prefix + "/config/enable") { request in
            let principal = try request.principal()
            try principal.require(.admin)
            return try Response.json(TradingJSON.config(try api.service.enable(organizationID: principal.organizationID)))
        }
        routes.post(prefix + "/config/disable") { request in
            let principal = try request.principal()
            try principal.require(.admin)
            return try Response.json(TradingJSON.config(try api.service.disable(organizationID: principal.organizationID)))
        }
        routes.get(prefix + "/connection-details") { request in
            let principal = try request.principal()
            return try Response.json(try api.connectionDetails(organizationID: principal.organizationID))
        }
        routes.post(prefix + "/connection-details/credentials") { request in
            let principal = try request.principal()
            try principal.require(.admin)
            let issued = try api.service.issuePartnerCredentials(organizationID: principal.organizationID)
            var details = try api.connectionDetails(organizationID: principal.organizationID)
            if case .object(var object) = details {
                object["username"] = .string(issued.username)
                object["password"] = .string(issued.password)
                details = .object(object)
            }
            var response = try Response.json(details)
            response.headers.set("Cache-Control", "no-store")
            return response
        }
    }

    /// Host, port and vhost of the broker (never the daemon's credentials), the exchange, every
    /// queue, and how to authenticate.
    public func connectionDetails(organizationID: UUID) throws -> JSONValue {
        let config = try service.config(organizationID: organizationID)
        let settings = service.settings
        let topology = service.topology(queuePrefix: config.queuePrefix)
        let queues: [JSONValue] = topology.queues.map { queue in
            ["name": .string(queue.name), "direction": .string(queue.direction.rawValue),
             "routingKey": .string(queue.routingKey), "description": .string(queue.description)]
        }
        let prefix = config.queuePrefix
        var instructions = "Connect with AMQP 0-9-1 as user '\(prefix)' to virtual host '\(settings.amqpURL.virtualHost)'. "
            + "The password is issued by an organization admin with POST /api/v1/trading/connection-details/credentials, "
            + "which returns a new password once and invalidates the previous one (tradingd keeps it only encrypted). "
            + "Publish to exchange '\(settings.exchange)' with the routing key of the inbound queue (e.g. '\(prefix).telemetry') "
            + "and consume from '\(prefix).events'. The user may use only queues and routing keys starting with '\(prefix).'."
        if config.status != .enabled {
            instructions += " Trading is currently disabled: the user and queues exist only after an admin calls "
                + "POST /api/v1/trading/config/enable."
        }
        let tls = settings.amqpURL.tls != nil
        return [
            "authInstructions": .string(instructions),
            "authMethod": .string(tls ? "AMQP PLAIN username/password over TLS" : "AMQP PLAIN username/password"),
            "exchange": .string(settings.exchange),
            "host": .string(settings.partnerHost ?? settings.amqpURL.host),
            "port": .number(Double(settings.partnerPort ?? settings.amqpURL.port)),
            "queuePrefix": .string(prefix),
            "queues": .array(queues),
            "vhost": .string(settings.amqpURL.virtualHost),
        ]
    }
}
