import AMQP
import Foundation
@testable import Ingest
import Observability
import Postgres
import Testing
import TestSupport
import TradingCore

/// A migrated database of its own with one organisation and its plants, and a queue prefix of
/// its own on the test broker: every ingest test runs against the real servers in isolation.
struct IngestTestFixture {
    let databaseURL: String
    let amqpURL: String
    let organizationID: UUID
    let prefix: String
    let plants: [UUID]

    static func make(plants count: Int) throws -> IngestTestFixture {
        let databaseURL = try TestDatabase.fresh()
        let database = try PostgresConnection(url: databaseURL)
        let prefix = "t-" + UUID().uuidString.prefix(8).lowercased()
        let organizationID = try database.query(
            "INSERT INTO organizations (slug, name) VALUES ($1, 'Ingest test') RETURNING id", [.text(prefix)]
        ).singleRow()!.uuid("id")
        var plants: [UUID] = []
        for index in 0..<count {
            plants.append(try database.query(
                "INSERT INTO plants (organization_id, name) VALUES ($1, $2) RETURNING id",
                [.uuid(organizationID), .text("plant \(index)")]
            ).singleRow()!.uuid("id"))
        }
        try TelemetryPartitionMaintainer.run(retention: TelemetryRetention(), on: database)
        let fixture = IngestTestFixture(databaseURL: databaseURL, amqpURL: try TestServers.amqpURL,
                                        organizationID: organizationID, prefix: prefix, plants: plants)
        try fixture.declareQueues()
        return fixture
    }

    var organization: IngestService.Organization { .init(id: organizationID, queuePrefix: prefix) }

    func options(consumers: Int = 1, prefetch: UInt16 = 200) -> IngestOptions {
        var options = IngestOptions()
        options.declareQueues = true
        options.prefetch = prefetch
        options.consumersPerQueue = consumers
        options.initialBackoff = .milliseconds(50)
        options.maximumBackoff = .milliseconds(500)
        return options
    }

    func service(_ options: IngestOptions? = nil) throws -> IngestService {
        IngestService(amqpURL: try AMQPURL(amqpURL), databaseURL: databaseURL, organizations: [organization],
                          options: options ?? self.options(), retention: nil)
    }

    func connect() throws -> PostgresConnection { try PostgresConnection(url: databaseURL) }

    func queue(_ kind: IngestQueueKind) -> String { kind.queueName(prefix: prefix) }
    func deadLetterQueue(_ kind: IngestQueueKind) -> String { kind.deadLetterQueueName(prefix: prefix) }

    /// Declares the queues before anything is published, so early publishes are kept.
    func declareQueues() throws {
        let connection = try TestQueues.connect(name: "ingest-fixture")
        defer { connection.close() }
        let channel = try connection.openChannel()
        for kind in IngestQueueKind.allCases {
            try IngestTopology.declare(kind: kind, queue: queue(kind), deadLetterQueue: deadLetterQueue(kind),
                                       exchange: "trading", on: channel)
        }
    }

    /// Publishes bodies straight to the queue (default exchange) and waits for the broker's confirms.
    func publish(_ bodies: [[UInt8]], to kind: IngestQueueKind) throws {
        let connection = try TestQueues.connect(name: "ingest-publisher")
        defer { connection.close() }
        let channel = try connection.openChannel()
        try channel.enableConfirms()
        for body in bodies {
            try channel.publish(exchange: "", routingKey: queue(kind), body: body,
                                properties: AMQPProperties(contentType: "application/json", deliveryMode: .persistent),
                                mandatory: true)
        }
        try channel.waitForConfirms(timeout: .seconds(60))
    }

    func publish(_ texts: [String], to kind: IngestQueueKind) throws {
        try publish(texts.map { Array($0.utf8) }, to: kind)
    }

    /// Takes every message from a queue (acking them).
    func drain(_ queueName: String) throws -> [AMQPDelivery] {
        let connection = try TestQueues.connect(name: "ingest-drain")
        defer { connection.close() }
        let channel = try connection.openChannel()
        var deliveries: [AMQPDelivery] = []
        while let delivery = try channel.get(queue: queueName, autoAck: true) { deliveries.append(delivery) }
        return deliveries
    }

    func readyMessages(_ queueName: String) throws -> UInt32 {
        let connection = try TestQueues.connect(name: "ingest-depth")
        defer { connection.close() }
        return try connection.openChannel().declareQueuePassive(queueName).messageCount
    }

    func deleteQueues() {
        guard let connection = try? TestQueues.connect(name: "ingest-cleanup"), let channel = try? connection.openChannel() else { return }
        for kind in IngestQueueKind.allCases {
            _ = try? channel.deleteQueue(queue(kind))
            _ = try? channel.deleteQueue(deadLetterQueue(kind))
        }
        connection.close()
    }

    /// Waits until the service has acked `deliveries` deliveries in total.
    func waitForAcks(_ service: IngestService, _ deliveries: Int) throws {
        try waitUntil("\(deliveries) deliveries are acked") { service.metrics.snapshot().deliveriesAcked >= deliveries }
    }

    func count(_ sql: String) throws -> Int {
        try connect().query(sql).singleRow()!.int(0)
    }
}

/// Sample JSON as partners send it.
func telemetryJSON(_ sample: TelemetrySample) -> String {
    var members = ["\"plant_id\":\"\(sample.plantID.uuidString.lowercased())\"", "\"time\":\"\(sample.time.rfc3339)\""]
    for field in TelemetryField.allCases {
        if let value = sample[field] { members.append("\"\(field.rawValue)\":\(value)") }
    }
    return "{" + members.joined(separator: ",") + "}"
}

func meterJSON(_ reading: MeterReading) -> String {
    "{\"plant_id\":\"\(reading.plantID.uuidString.lowercased())\",\"meter_id\":\"\(reading.meterID)\","
        + "\"time\":\"\(reading.time.rfc3339)\",\"energy\":\(reading.energy)}"
}
