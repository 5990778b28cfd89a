import AMQP
import Foundation

/// Unique broker object names and connections for integration tests, so tests run in parallel
/// against the one private RabbitMQ without seeing each other's messages.
public enum TestQueues {
    /// A name no other test (or earlier run) uses: `test.<label>.<random>`.
    public static func uniqueName(_ label: String) -> String {
        "test.\(label).\(UUID().uuidString.prefix(8).lowercased())"
    }

    /// The private test broker (vhost `tradingd-test`), from `TRADINGD_TEST_AMQP_URL` or
    /// `.local/servers.env`. Throws a message naming `Deploy/servers.sh start` when unset.
    public static func amqpURL() throws -> AMQPURL {
        try AMQPURL(TestEnvironment.value("TRADINGD_TEST_AMQP_URL"))
    }

    /// `http://user:pass@host:port` of the management API of the test broker.
    public static func managementURL() throws -> String {
        try TestEnvironment.value("TRADINGD_TEST_AMQP_MANAGEMENT_URL")
    }

    /// A connection to the test broker; `name` shows in the management API (for forced closes).
    public static func connect(name: String = "tradingd-tests", heartbeat: Duration = .seconds(30)) throws -> AMQPConnection {
        do {
            return try AMQPConnection(url: amqpURL(),
                                      options: .init(heartbeat: heartbeat, connectionName: name))
        } catch let error as AMQPError where error.code == .connectionFailed {
            throw TestEnvironment.Unavailable(message:
                "RabbitMQ test server unreachable (\(error.detail)); run Deploy/servers.sh start")
        }
    }
}

/// Reads the test servers' addresses from the environment, or from `.local/servers.env` that
/// `Deploy/servers.sh start` writes at the top of the checkout.
enum TestEnvironment {
    struct Unavailable: Error, CustomStringConvertible {
        let message: String
        var description: String { message }
    }

    static func value(_ key: String) throws -> String {
        if let value = ProcessInfo.processInfo.environment[key], !value.isEmpty { return value }
        if let value = fileValues[key] { return value }
        throw Unavailable(message: "\(key) is not set and .local/servers.env lacks it; run Deploy/servers.sh start")
    }

    private static let fileValues: [String: String] = {
        // Tests/TestSupport/TestQueues.swift -> checkout root.
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        guard let text = try? String(contentsOf: root.appendingPathComponent(".local/servers.env"), encoding: .utf8)
        else { return [:] }
        var values: [String: String] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            guard let equals = line.firstIndex(of: "=") else { continue }
            var value = line[line.index(after: equals)...]
            if value.hasPrefix("'") || value.hasPrefix("\""), value.count >= 2 { value = value.dropFirst().dropLast() }
            values[String(line[..<equals]).trimmingCharacters(in: .whitespaces)] = String(value)
        }
        return values
    }()
}
