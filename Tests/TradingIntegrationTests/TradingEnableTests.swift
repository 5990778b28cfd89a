import Accounts
import AMQP
@testable import API
import Domain
import Foundation
import Relay
import Ingest
import JSON
import Postgres
import Testing
import TestSupport
@testable import Trading
@testable import TradingAPI
@testable import Tradingd

/// Enable and disable against the real broker: queues, the partner user and its permissions.
struct TradingEnableTests {
    private func queueExists(_ name: String, _ f: TradingTestFixture) throws -> Bool {
        let connection = try AMQPConnection(url: f.settings.amqpURL)
        defer { connection.close() }
        do {
            _ = try connection.openChannel().declareQueuePassive(name)
            return true
        } catch let error as AMQPError where error.code == .notFound {
            return false
        }
    }

    private func partnerURL(_ f: TradingTestFixture, user: String, password: String) -> AMQPURL {
        AMQPURL(host: f.settings.amqpURL.host, port: f.settings.amqpURL.port, user: user, password: password,
                virtualHost: f.settings.amqpURL.virtualHost)
    }

    /// Publishes one confirmed message as the partner; the broker's refusal surfaces as an error.
    private func publish(_ url: AMQPURL, exchange: String, routingKey: String, body: String) throws {
        let connection = try AMQPConnection(url: url)
        defer { connection.close() }
        let channel = try connection.openChannel()
        try channel.enableConfirms()
        try channel.publish(exchange: exchange, routingKey: routingKey, body: body, mandatory: true)
        try channel.waitForConfirms(timeout: .seconds(10))
    }

    @Test func enableDeclaresQueuesAndAPartnerLimitedToItsPrefix() async throws {
        let f = try TradingTestFixture()
        defer { f.tearDown() }
        try await f.configure()
        let enabled = try await f.call("POST", "/config/enable")
        #expect(enabled.status == 200, "\(enabled.text)")
        #expect(enabled.object["status"] as? String == "ENABLED")
        #expect(f.runtime.events == [.enabled(f.organizationID, f.slug)])
        let topology = f.service.topology(queuePrefix: f.slug)
        #expect(topology.allQueueNames.count == 9)
        for name in topology.allQueueNames { #expect(try queueExists(name, f), "\(name)") }

        // Enabling again changes nothing (same partner password) and still succeeds.
        let sealed = try f.row("SELECT amqp_password_sealed FROM trading_configs WHERE organization_id = $1", [.uuid(f.organizationID)])?
            .optionalString(0)
        #expect(sealed != nil)
        #expect(try await f.call("POST", "/config/enable").status == 200)
        #expect(try f.row("SELECT amqp_password_sealed FROM trading_configs WHERE organization_id = $1", [.uuid(f.organizationID)])?
            .optionalString(0) == sealed)

        // The other organisation enables too, so that its routing keys are bound.
        _ = try await f.call("POST", "/config", organization: f.otherOrganizationID, body: """
            {"esmApiUrl": "\(TradingTestFixture.publicESMURL)", "esmClientId": "o", "esmClientSecret": "o"}
            """)
        #expect(try await f.call("POST", "/config/enable", organization: f.otherOrganizationID).status == 200)

        // Credentials are shown once; each call issues a new password.
        let issued = try await f.call("POST", "/connection-details/credentials")
        #expect(issued.status == 200, "\(issued.text)")
        #expect(issued.headers["cache-control"] == "no-store")
        let user = try #require(issued.object["username"] as? String)
        let password = try #require(issued.object["password"] as? String)
        #expect(user == f.slug)
        #expect(password.count >= 32)
        #expect(!f.logs.lines.contains { $0.contains(password) })
        let partner = partnerURL(f, user: user, password: password)

        // Its own routing key: stored in its own queue.
        let marker = UUID().uuidString
        try publish(partner, exchange: f.settings.exchange, routingKey: "\(f.slug).telemetry", body: marker)
        let reader = try AMQPConnection(url: f.settings.amqpURL)
        defer { reader.close() }
        #expect(try reader.openChannel().declareQueuePassive("\(f.slug).telemetry").messageCount == 1)

        // Another organisation's routing key on the shared exchange: refused by topic permissions.
        let refused = #expect(throws: AMQPError.self) {
            try publish(partner, exchange: f.settings.exchange, routingKey: "\(f.otherSlug).telemetry", body: "intrusion")
        }
        #expect(refused?.replyCode == 403, "\(String(describing: refused)) \(refused?.detail ?? "")")
        #expect(try reader.openChannel().declareQueuePassive("\(f.otherSlug).telemetry").messageCount == 0)
        // Another organisation's queue: not readable.
        let unreadable = #expect(throws: AMQPError.self) {
            let connection = try AMQPConnection(url: partner)
            defer { connection.close() }
            let channel = try connection.openChannel()
            try channel.consume(queue: "\(f.otherSlug).events")
            _ = try channel.nextDelivery(timeout: .seconds(1))
        }
        #expect(unreadable?.replyCode == 403, "\(String(describing: unreadable))")
        // Its own outbound queue: readable.
        do {
            let connection = try AMQPConnection(url: partner)
            defer { connection.close() }
            try connection.openChannel().consume(queue: "\(f.slug).events")
        }

        // A second issue invalidates the first password.
        let second = try #require(try await f.call("POST", "/connection-details/credentials").object["password"] as? String)
        #expect(second != password)
        #expect(throws: AMQPError.self) { try AMQPConnection(url: partner).close() }
        try AMQPConnection(url: partnerURL(f, user: user, password: second)).close()

        // Disable: consumers stopped, queues and user gone; twice is fine.
        let disabled = try await f.call("POST", "/config/disable")
        #expect(disabled.status == 200)
        #expect(disabled.object["status"] as? String == "DISABLED")
        #expect(f.runtime.events.last == .disabled(f.organizationID, f.slug))
        for name in topology.allQueueNames { #expect(try !queueExists(name, f), "\(name)") }
        #expect(try f.management.userTags(f.slug) == nil)
        #expect(throws: AMQPError.self) { try AMQPConnection(url: partnerURL(f, user: user, password: second)).close() }
        #expect(try await f.call("POST", "/config/disable").status == 200)
        #expect(try f.row("SELECT amqp_password_sealed FROM trading_configs WHERE organization_id = $1", [.uuid(f.organizationID)])?
            .optionalString(0) == nil)
        // The other organisation is untouched.
        #expect(try queueExists("\(f.otherSlug).telemetry", f))
        expectTradingError(try await f.call("POST", "/connection-details/credentials"), status: 400, code: "TRADING_NOT_ENABLED")
    }

    @Test func aPartnerCannotDeleteItsQueuesNorPublishAcksOrEvents() async throws {
        let f = try TradingTestFixture()
        defer { f.tearDown() }
        try await f.configure()
        #expect(try await f.call("POST", "/config/enable").status == 200)
        let issued = try await f.call("POST", "/connection-details/credentials")
        let partner = partnerURL(f, user: try #require(issued.object["username"] as? String),
                                 password: try #require(issued.object["password"] as? String))
        // Its three inbound routing keys work.
        for key in ["telemetry", "meters", "commands"] {
            try publish(partner, exchange: f.settings.exchange, routingKey: "\(f.slug).\(key)", body: "{}")
        }
        // No configure permission: deleting (or redeclaring) its own queues is refused.
        let deletion = #expect(throws: AMQPError.self) {
            let connection = try AMQPConnection(url: partner)
            defer { connection.close() }
            _ = try connection.openChannel().deleteQueue("\(f.slug).events")
        }
        #expect(deletion?.replyCode == 403, "\(String(describing: deletion))")
        #expect(try queueExists("\(f.slug).events", f))
        // Forged ESM acknowledgements and events: refused by the topic permissions.
        for key in ["command-acks", "events", "telemetry.dlq"] {
            let forged = #expect(throws: AMQPError.self) {
                try publish(partner, exchange: f.settings.exchange, routingKey: "\(f.slug).\(key)", body: "{}")
            }
            #expect(forged?.replyCode == 403, "\(key): \(String(describing: forged))")
        }
        let reader = try AMQPConnection(url: f.settings.amqpURL)
        defer { reader.close() }
        #expect(try reader.openChannel().declareQueuePassive("\(f.slug).command-acks").messageCount == 0)
    }

    @Test func prefixCannotChangeWhileEnabled() async throws {
        let f = try TradingTestFixture()
        defer { f.tearDown() }
        try await f.configure()
        #expect(try await f.call("POST", "/config/enable").status == 200)
        let answer = try await f.call("POST", "/config", body: #"{"queuePrefix": "t-other-\#(UUID().uuidString.prefix(6).lowercased())"}"#)
        expectTradingError(answer, status: 400, code: "VALIDATION_ERROR")
        #expect(answer.violationMessage("queuePrefix").contains("disable trading"))
    }

    @Test func aBrokerUserThatIsNotAPartnerIsNeverTouched() async throws {
        let f = try TradingTestFixture()
        defer { f.tearDown() }
        // A user with the prefix's name that tradingd did not make.
        try f.management.putUser(f.slug, password: "not-ours-\(UUID().uuidString)", tags: ["monitoring"])
        defer { try? f.management.deleteUser(f.slug) }
        try await f.configure()
        let answer = try await f.call("POST", "/config/enable")
        expectTradingError(answer, status: 400, code: "VALIDATION_ERROR")
        #expect(try await f.call("POST", "/config/disable").status == 200)
        #expect(try f.management.userTags(f.slug) == ["monitoring"])
    }

    /// The consumers declare the same queues for local runs: enabling over them (and them over
    /// an enabled organisation) must not fail on differing queue arguments.
    @Test func enableAgreesWithTheConsumersOwnDeclarations() async throws {
        let f = try TradingTestFixture()
        defer { f.tearDown() }
        // No broker connection is held across the awaits: under load a suspended test would miss
        // its heartbeats and the broker would close the connection.
        let before = try AMQPConnection(url: f.settings.amqpURL)
        try IngestTopology.declare(kind: .telemetry, queue: "\(f.slug).telemetry", deadLetterQueue: "\(f.slug).telemetry.dlq",
                                   exchange: f.settings.exchange, on: try before.openChannel())
        before.close()
        try await f.configure()
        let enabled = try await f.call("POST", "/config/enable")
        #expect(enabled.status == 200, "\(enabled.text)")
        let connection = try AMQPConnection(url: f.settings.amqpURL)
        defer { connection.close() }
        let channel = try connection.openChannel()
        try RelayQueues(prefix: f.slug).declare(exchange: f.settings.exchange, on: channel)

        // Dead-lettering through the DLX (as a broker policy would) reaches the queue's .dlq.
        try channel.enableConfirms()
        try channel.publish(exchange: f.settings.deadLetterExchange, routingKey: "\(f.slug).meters", body: "dead", mandatory: true)
        try channel.waitForConfirms(timeout: .seconds(10))
        #expect(try channel.declareQueuePassive("\(f.slug).meters.dlq").messageCount == 1)
    }
}
