import Foundation
import Testing
@testable import Tradingd

/// `TRADINGD_AMQP_URL` may name every node of a RabbitMQ cluster (docs/RELIABILITY.md, cluster).
@Suite struct ClusterConfigurationTests {
    static let base = ConfigurationTests.complete

    @Test func anAMQPURLNamingSeveralNodesIsAccepted() throws {
        var environment = Self.base
        environment["TRADINGD_AMQP_URL"] = "amqp://u:mqpass@127.0.0.1:57010,127.0.0.1:57020,[::1]:57030/%2F"
        let configuration = try Configuration.load(environment: environment, required: ["databaseURL", "amqpURL", "secretKey"])
        #expect(configuration.amqpURL?.nodes.map(\.port) == [57010, 57020, 57030])
    }

    @Test func aBadNodeIsRefusedWithoutThePassword() throws {
        var environment = Self.base
        environment["TRADINGD_AMQP_URL"] = "amqp://u:mqpass@127.0.0.1:57010,127.0.0.1:99999/%2F"
        #expect {
            _ = try Configuration.load(environment: environment, required: ["databaseURL", "amqpURL", "secretKey"])
        } throws: { error in
            let text = String(describing: error)
            return text.contains("amqpURL") && text.contains("bad port") && !text.contains("mqpass")
        }
    }
}
