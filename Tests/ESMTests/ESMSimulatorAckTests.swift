import AMQP
import ESM
import ESMSimulator
import Foundation
import TestSupport
import Testing
import TradingCore

/// The simulator's acknowledgements arrive on `<prefix>.command-acks` of the configured exchange
/// (private RabbitMQ; fails when it is not running).
@Suite(.timeLimit(.minutes(1)))
struct ESMSimulatorAckTests {
    struct Broker {
        let connection: AMQPConnection
        let channel: AMQPChannel
        let exchange: String
        let prefix: String
        let queue: String

        init() throws {
            connection = try TestQueues.connect(name: "esm-ack-tests")
            channel = try connection.openChannel()
            exchange = TestQueues.uniqueName("esm-acks")
            prefix = "p" + UUID().uuidString.prefix(8).lowercased()
            queue = TestQueues.uniqueName("acks")
            try channel.declareExchange(exchange, type: .topic, durable: true)
            try channel.declareQueue(queue, durable: false, exclusive: true)
            try channel.bindQueue(queue, exchange: exchange, routingKey: "\(prefix).command-acks")
        }

        /// Messages on the queue, waiting up to `timeout` for `count` of them.
        func take(_ count: Int, timeout: TimeInterval = 10) throws -> [(AMQPDelivery, ESMCommandAck)] {
            var out: [(AMQPDelivery, ESMCommandAck)] = []
            let limit = Date().addingTimeInterval(timeout)
            while out.count < count && Date() < limit {
                if let delivery = try channel.get(queue: queue, autoAck: true) {
                    out.append((delivery, try JSONDecoder().decode(ESMCommandAck.self, from: Data(delivery.body))))
                } else {
                    Thread.sleep(forTimeInterval: 0.02)
                }
            }
            return out
        }

        func close() {
            _ = try? channel.deleteExchange(exchange)
            connection.close()
        }
    }

    static func fixture(_ broker: Broker, configure: (inout ESMSimulatorOptions) -> Void = { _ in }) throws -> ESMTestFixture {
        var options = ESMSimulatorOptions()
        options.amqpURL = try TestServers.amqpURL
        options.exchange = broker.exchange
        options.queuePrefix = broker.prefix
        configure(&options)
        return try ESMTestFixture(options: options)
    }

    @Test func acceptedThenExecutedArePublishedOnceForARepeatedKey() throws {
        let broker = try Broker()
        defer { broker.close() }
        let fixture = try Self.fixture(broker) { $0.ackDelay = .milliseconds(150) }
        defer { fixture.close() }
        let command = ESMTestFixture.command("ack-1")
        try fixture.client.sendCommand(plantID: ESMTestFixture.plant1, command: command)
        try fixture.client.sendCommand(plantID: ESMTestFixture.plant1, command: command)   // repeated key
        let acks = try broker.take(2)
        #expect(acks.map(\.1.status) == [.accepted, .executed])
        #expect(acks.allSatisfy { $0.1.correlationId == command.correlationId })
        #expect(acks.allSatisfy { $0.0.routingKey == "\(broker.prefix).command-acks" })
        #expect(acks.allSatisfy { $0.0.properties.correlationId == command.correlationId })
        let executedAt = try #require(acks.last?.1.executedAt)
        #expect(ISO8601DateFormatter.withFractionalSeconds.date(from: executedAt) != nil)
        #expect(fixture.simulator.waitForAcks())
        Thread.sleep(forTimeInterval: 0.3)
        #expect(try broker.take(1, timeout: 0.2).isEmpty)   // the repeat published nothing
    }

    @Test func rejectRateSendsRejectedWithAReason() throws {
        let broker = try Broker()
        defer { broker.close() }
        let fixture = try Self.fixture(broker) { $0.rejectRate = 1 }
        defer { fixture.close() }
        let command = ESMTestFixture.command("rej-1")
        try fixture.client.sendCommand(plantID: ESMTestFixture.plant1, command: command)
        let acks = try broker.take(1)
        #expect(acks.map(\.1.status) == [.rejected])
        #expect(acks.first?.1.reason?.isEmpty == false)
        #expect(acks.first?.1.correlationId == command.correlationId)
    }

    @Test func perPlantPrefixOverridesTheDefault() throws {
        let broker = try Broker()
        defer { broker.close() }
        let fixture = try Self.fixture(broker) { $0.queuePrefix = "elsewhere" }
        defer { fixture.close() }
        let plant = ESMSimulator.plantID(number: 2)
        fixture.simulator.setQueuePrefix(broker.prefix, forPlant: plant)
        try fixture.client.sendCommand(plantID: plant, command: ESMTestFixture.command("pp-1"))
        #expect(try broker.take(2).map(\.1.status) == [.accepted, .executed])
    }
}

extension ISO8601DateFormatter {
    static var withFractionalSeconds: ISO8601DateFormatter {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter
    }
}
