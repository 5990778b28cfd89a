import AMQP
import ESM
import ESMSimulator
import Foundation
import Messaging
import Observability
@testable import Relay
import TestSupport

/// The ESM of relay tests: the in-process ESM simulator (a real HTTP server), reached through
/// the real `ESMClient`. The simulator counts, per idempotency key, how often the command was
/// received and executed, and publishes ACCEPTED then EXECUTED acks to `P.command-acks`.
final class RelayTestESM: ESMClientProvider, Sendable {
    let simulator: ESMSimulator
    let client: ESMClient

    /// - Parameter publishAcks: false keeps the simulator's acks off the broker (tests that
    ///   publish their own, or want none).
    init(prefix: String, publishAcks: Bool = true) throws {
        var options = ESMSimulatorOptions()
        options.amqpURL = publishAcks ? try TestServers.amqpURL : nil
        options.queuePrefix = prefix
        options.plantCount = 3
        simulator = try ESMSimulator(options: options)
        let port = try simulator.start()
        // One attempt per relay round: the relay's own backoff does the retrying.
        let configuration = ESMClientConfiguration(
            baseURL: simulator.baseURL, clientID: options.clientID, clientSecret: options.clientSecret,
            connectTimeout: .seconds(1), requestTimeout: .seconds(5), maxAttempts: 1)
        client = try ESMClient(configuration: configuration,
                               urlGuard: OutboundURLGuard(allowList: [try AllowedEndpoint(host: "127.0.0.1", port: port)]))
    }

    deinit { simulator.stop() }

    func client(for organizationID: UUID) throws -> any ESMCommandSending { client }

    /// The ESM's plant ids, as linked to the fixture's plants.
    static func plantID(_ index: Int) -> String { ESMSimulator.plantID(number: index + 1) }

    func setDown(_ down: Bool) throws { try simulator.setDown(down) }

    /// What the ESM holds for the partner's messageId (the relay's idempotency key is the
    /// command's own id, so the simulator knows the command under that key).
    func keys(_ messageID: String) -> [ESMSimulatedCommand] { simulator.commands.values.filter { $0.messageId == messageID } }
    /// How often the ESM received the command with this messageId, under any key.
    func calls(_ messageID: String) -> Int { keys(messageID).reduce(0) { $0 + $1.received } }
    func executions(_ messageID: String) -> Int { keys(messageID).reduce(0) { $0 + $1.executed } }
    var allCalls: [String: Int] {
        simulator.commands.values.reduce(into: [:]) { calls, command in calls[command.messageId, default: 0] += command.received }
    }
}
