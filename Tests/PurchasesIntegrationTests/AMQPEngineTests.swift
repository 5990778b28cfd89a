import AMQP
import Foundation
import Observability
import Postgres
import PurchaseCore
import Purchases
import TestSupport
import Testing

/// The AMQP workflow engine end to end: the dispatcher publishes each purchase once with
/// confirms, the status consumer applies the engine's reports, bad reports are dead-lettered.
@Suite struct AMQPEngineTests {
    let fixture: PurchasesFixture
    let topology: PurchaseTopology
    let store = PurchaseStore()

    init() throws {
        fixture = try PurchasesFixture()
        topology = PurchaseTopology(exchange: TestQueues.uniqueName("purchases-x"), prefix: TestQueues.uniqueName("site") + ".")
    }

    private func drain(_ queue: String, on channel: AMQPChannel) throws -> [AMQPDelivery] {
        var found: [AMQPDelivery] = []
        while let delivery = try channel.get(queue: queue, autoAck: true) { found.append(delivery) }
        return found
    }

    private func status(_ id: UUID) throws -> PurchaseStatus? {
        try store.purchase(id: id, organizationID: fixture.organization, on: fixture.connection)?.status
    }

    @Test func fiftyPurchasesBecomeFiftyMessagesOnce() throws {
        let ids = try (0..<50).map { _ in try fixture.insert(fixture.quarterHours(4)).id }
        let engine = AMQPWorkflowEngine(url: try TestQueues.amqpURL(), topology: topology)
        defer { engine.close() }
        let dispatcher = PurchaseDispatcher(databaseURL: fixture.url, engine: engine, log: .silent)
        dispatcher.start()
        defer {
            dispatcher.requestStop()
            dispatcher.waitUntilFinished(timeout: .seconds(10))
        }
        try waitUntil("all 50 submitted") { try ids.allSatisfy { try status($0) == .submitted } }
        let connection = try TestQueues.connect()
        let channel = try connection.openChannel()
        let messages = try drain(topology.submittedQueue, on: channel)
        #expect(messages.count == 50)
        #expect(Set(messages.compactMap(\.messageId)) == Set(ids.map(WorkflowNaming.name(for:))))
        #expect(messages.allSatisfy { $0.properties.deliveryMode == .persistent && $0.properties.contentType == "application/json" })
        let body = try JSONDecoder().decode([String: StringOrInt].self, from: Data(messages[0].body))
        #expect(body["rowCount"] == .int(4) && body["organization"] == .string("trebol") && body["retailerId"] == .string("123"))
        let record = try #require(try store.purchase(id: ids[0], organizationID: fixture.organization, on: fixture.connection))
        #expect(record.engine == "amqp" && record.workflowName == WorkflowNaming.name(for: ids[0]) && record.error == "")
    }

    @Test func statusReportsApplyAndBadOnesAreDeadLettered() throws {
        let id = try fixture.insert(fixture.quarterHours(1)).id
        let consumer = PurchaseStatusConsumer(amqpURL: try TestQueues.amqpURL(), topology: topology, databaseURL: fixture.url,
                                              log: .silent)
        consumer.start()
        defer {
            consumer.requestStop()
            consumer.waitUntilFinished(timeout: .seconds(10))
        }
        let connection = try TestQueues.connect()
        let channel = try connection.openChannel()
        try topology.declare(on: channel)
        func report(_ json: String) throws {
            try channel.publish(exchange: topology.exchange, routingKey: topology.statusQueue, body: json)
        }
        let text = id.uuidString.lowercased()
        try report(#"{"purchaseId": "\#(text)", "status": "running", "startedAt": "2025-11-11T00:15:00Z"}"#)
        try waitUntil("running") { try status(id) == .running }
        try report("not json")
        try report(#"{"purchaseId": "\#(UUID().uuidString)", "status": "completed"}"#)
        try report(#"{"purchaseId": "\#(text)", "status": "paused"}"#)
        try report(#"{"purchaseId": "\#(text)", "status": "failed", "error": "market closed"}"#)
        try waitUntil("failed") { try status(id) == .failed }
        try report(#"{"purchaseId": "\#(text)", "status": "completed"}"#)  // late: a terminal status stays
        var letters: [AMQPDelivery] = []
        try waitUntil("three dead letters") {
            letters += try drain(topology.statusDeadLetterQueue, on: channel)
            return letters.count >= 3
        }
        let reasons = letters.compactMap { delivery -> String? in
            if case .string(let reason) = delivery.properties.headers?["x-rejection-reason"] { return reason }
            return nil
        }
        #expect(reasons.count == 3)
        #expect(reasons.contains { $0.hasPrefix("not JSON") })
        #expect(reasons.contains { $0.hasPrefix("no purchase ") })
        #expect(reasons.contains { $0.hasPrefix("status must be one of") })
        let record = try #require(try store.purchase(id: id, organizationID: fixture.organization, on: fixture.connection))
        #expect(record.status == .failed && record.error == "market closed")
        #expect(record.startedAt == Date(timeIntervalSince1970: 1_762_820_100))
        try waitUntil("queue drained") { try channel.declareQueuePassive(topology.statusQueue).messageCount == 0 }
        #expect(try status(id) == .failed)
    }
}

/// A JSON value of the submitted message: its fields are strings, and `rowCount` a number.
enum StringOrInt: Decodable, Equatable {
    case string(String), int(Int)

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let value = try? container.decode(Int.self) { self = .int(value) } else { self = .string(try container.decode(String.self)) }
    }
}
