import AMQP
import Foundation
import Messaging
import Observability
import Postgres
@testable import Relay
import Testing
import TestSupport
import TradingCore

/// A migrated database of its own with one organisation and its plants, and a queue prefix of
/// its own on the test broker: every relay test runs against the real servers in isolation.
struct RelayTestFixture {
    let databaseURL: String
    let amqpURL: String
    let organizationID: UUID
    let prefix: String
    /// Plants of the organisation, linked to ESM plants `esmPlantIDs`: the simulator knows the
    /// first two, not the third.
    let plants: [UUID]
    let esmPlantIDs: [String]
    let foreignPlant: UUID

    static func make() throws -> RelayTestFixture {
        let databaseURL = try TestDatabase.fresh()
        let database = try PostgresConnection(url: databaseURL)
        let prefix = "r-" + UUID().uuidString.prefix(8).lowercased()
        func organization(_ slug: String) throws -> UUID {
            try database.query("INSERT INTO organizations (slug, name) VALUES ($1, 'Relay test') RETURNING id", [.text(slug)])
                .singleRow()!.uuid("id")
        }
        let organizationID = try organization(prefix)
        var plants: [UUID] = [], esmPlantIDs: [String] = []
        for index in 0..<3 {
            let esmID = index < 2 ? RelayTestESM.plantID(index) : "not-at-the-esm"
            plants.append(try database.query(
                "INSERT INTO plants (organization_id, name, esm_plant_id) VALUES ($1, $2, $3) RETURNING id",
                [.uuid(organizationID), .text("plant \(index)"), .text(esmID)]
            ).singleRow()!.uuid("id"))
            esmPlantIDs.append(esmID)
        }
        let other = try organization("x" + prefix)
        let foreignPlant = try database.query("INSERT INTO plants (organization_id, name) VALUES ($1, 'foreign') RETURNING id",
                                              [.uuid(other)]).singleRow()!.uuid("id")
        let fixture = RelayTestFixture(databaseURL: databaseURL, amqpURL: try TestServers.amqpURL, organizationID: organizationID,
                                       prefix: prefix, plants: plants, esmPlantIDs: esmPlantIDs, foreignPlant: foreignPlant)
        let connection = try TestQueues.connect(name: "relay-fixture")
        defer { connection.close() }
        try fixture.queues.declare(exchange: "trading", on: try connection.openChannel())
        return fixture
    }

    var queues: RelayQueues { RelayQueues(prefix: prefix) }

    /// Short waits, so retries and polls happen within a test's time.
    static func options(workers: Int = 2) -> RelayOptions {
        var options = RelayOptions()
        options.declareQueues = true
        options.relayWorkers = workers
        options.pollInterval = .milliseconds(50)
        options.eventPollInterval = .milliseconds(50)
        options.retryInitial = .milliseconds(50)
        options.retryMaximum = .milliseconds(200)
        options.failureBackoffInitial = .milliseconds(50)
        options.failureBackoffMaximum = .milliseconds(500)
        options.sweepInterval = .milliseconds(50)
        return options
    }

    func service(_ esm: any ESMClientProvider, options: RelayOptions = RelayTestFixture.options()) throws -> RelayService {
        RelayService(amqpURL: try AMQPURL(amqpURL), databaseURL: databaseURL, organizations: [organizationID: prefix],
                         esmClients: esm, options: options)
    }

    func connect() throws -> PostgresConnection { try PostgresConnection(url: databaseURL) }

    /// A command body as partners send it.
    func command(_ messageID: String, type: String = "SITE_SETPOINT", plant: Int = 0, correlationID: String? = nil,
                 payload: String? = nil, validUntil: Date? = nil) -> String {
        let payload = payload ?? (type == "MODE_CHANGE" ? #"{"mode":"CHARGE"}"# : #"{"activePowerKw":125.5}"#)
        var members = [#""messageId":"\#(messageID)""#, #""plantId":"\#(plants[plant].uuidString.lowercased())""#,
                       #""commandType":"\#(type)""#, #""payload":\#(payload)"#]
        if let correlationID { members.append(#""correlationId":"\#(correlationID)""#) }
        if let validUntil { members.append(#""validUntil":"\#(TelemetryTimestamp(microsecondsSinceEpoch: Int64(validUntil.timeIntervalSince1970 * 1e6)).rfc3339)""#) }
        return "{" + members.joined(separator: ",") + "}"
    }

    /// Publishes bodies straight to a queue (default exchange) and waits for the broker's confirms.
    func publish(_ bodies: [String], to queue: String, properties: AMQPProperties = .json()) throws {
        let connection = try TestQueues.connect(name: "relay-publisher")
        defer { connection.close() }
        let channel = try connection.openChannel()
        try channel.enableConfirms()
        for body in bodies {
            try channel.publish(exchange: "", routingKey: queue, body: Array(body.utf8), properties: properties, mandatory: true)
        }
        try channel.waitForConfirms(timeout: .seconds(60))
    }

    func publishCommands(_ bodies: [String]) throws { try publish(bodies, to: queues.commands) }

    /// Takes every message from a queue (acking them).
    func drain(_ queue: String) throws -> [AMQPDelivery] {
        let connection = try TestQueues.connect(name: "relay-drain")
        defer { connection.close() }
        let channel = try connection.openChannel()
        var deliveries: [AMQPDelivery] = []
        while let delivery = try channel.get(queue: queue, autoAck: true) { deliveries.append(delivery) }
        return deliveries
    }

    func deleteQueues() {
        guard let connection = try? TestQueues.connect(name: "relay-cleanup"), let channel = try? connection.openChannel() else { return }
        for queue in [queues.commands, queues.commandsDeadLetter, queues.acks, queues.acksDeadLetter, queues.events] {
            _ = try? channel.deleteQueue(queue)
        }
        connection.close()
    }

    struct Row: Equatable {
        var messageID: String
        var status: String
        var ackStatus: String?
        var rejectionReason: String?
        var attempts: Int
        var siteID: String?
    }

    func rows() throws -> [String: Row] {
        var result: [String: Row] = [:]
        for row in try connect().query(
            "SELECT message_id, status, ack_status, rejection_reason, attempts, site_id FROM command_log WHERE organization_id = $1",
            [.uuid(organizationID)]) {
            let id = try row.string("message_id")
            result[id] = Row(messageID: id, status: try row.string("status"), ackStatus: try row.optionalString("ack_status"),
                             rejectionReason: try row.optionalString("rejection_reason"), attempts: try row.int("attempts"),
                             siteID: try row.optionalString("site_id"))
        }
        return result
    }

    func status(_ messageID: String) throws -> String? { try rows()[messageID]?.status }

    func count(_ sql: String) throws -> Int { try connect().query(sql).singleRow()!.int(0) }
}
