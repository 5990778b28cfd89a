import AMQP
import Foundation

/// Unique broker object names and connections for integration tests, so tests run in parallel
/// against the one private RabbitMQ without seeing each other's messages.
public enum TestQueues {
    /// A name no other test (or earlier run) uses: `test.<label>.<random>`.
    public static func uniqueName(_ label: String) -> String {
        "test.\(label).\(UUID().uuidString.prefix(8).lowercased())"
    }

    /// The private test broker (vhost `tradingd-test`), see `TestServers.amqpURL`.
    public static func amqpURL() throws -> AMQPURL {
        try AMQPURL(TestServers.amqpURL)
    }

    /// A connection to the test broker; `name` shows in the management API (for forced closes).
    public static func connect(name: String = "tradingd-tests", heartbeat: Duration = .seconds(30)) throws -> AMQPConnection {
        do {
            return try AMQPConnection(url: amqpURL(),
                                      options: .init(heartbeat: heartbeat, connectionName: name))
        } catch let error as AMQPError where error.code == .connectionFailed {
            throw BrokerUnreachable(detail: error.detail)
        }
    }
}

/// The test broker did not answer: the servers are not running.
public struct BrokerUnreachable: Error, CustomStringConvertible {
    public let detail: String
    public var description: String { "RabbitMQ test server unreachable (\(detail)): run Deploy/servers.sh start" }
}
