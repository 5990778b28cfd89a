import ESM
import ESMSimulator
import Foundation
import TradingCore

/// A simulator on a free loopback port and a client allowed to reach it (the guard's allow list
/// holds exactly `127.0.0.1:<port>`). Stopped by `close()` or deinit.
final class ESMTestFixture: @unchecked Sendable {
    static let secret = "s3cr3t-Do-Not-Leak-7f1c2e"
    let simulator: ESMSimulator
    let port: Int
    let client: ESMClient
    let urlGuard: OutboundURLGuard

    init(options: ESMSimulatorOptions = ESMSimulatorOptions(), metrics: ESMMetrics? = nil,
         configure: (inout ESMClientConfiguration) -> Void = { _ in }) throws {
        var options = options
        options.clientID = "client-a"
        options.clientSecret = Self.secret
        simulator = try ESMSimulator(options: options)
        port = try simulator.start()
        urlGuard = try OutboundURLGuard(privateAllowList: "127.0.0.1:\(port)")
        var configuration = ESMClientConfiguration(baseURL: "http://127.0.0.1:\(port)", clientID: "client-a",
                                                   clientSecret: Self.secret, connectTimeout: .seconds(2),
                                                   requestTimeout: .seconds(5), retryDelay: .milliseconds(10),
                                                   maxRetryDelay: .milliseconds(50))
        configure(&configuration)
        client = try ESMClient(configuration: configuration, urlGuard: urlGuard, metrics: metrics)
    }

    /// Another client of the same simulator with different settings.
    func makeClient(_ configure: (inout ESMClientConfiguration) -> Void) throws -> ESMClient {
        var configuration = client.configuration
        configure(&configuration)
        return try ESMClient(configuration: configuration, urlGuard: urlGuard)
    }

    func close() { simulator.stop() }
    deinit { simulator.stop() }

    static let plant1 = ESMSimulator.plantID(number: 1)

    static func command(_ key: String, correlation: String = UUID().uuidString) -> ESMCommand {
        ESMCommand(messageId: key, correlationId: correlation, commandType: "SITE_SETPOINT",
                   payloadJSON: Array(#"{"activePowerKw": 12.5}"#.utf8), validUntil: "2030-01-01T00:00:00Z")
    }
}

/// Every way an error can be turned into text.
func renderings(of error: any Error) -> [String] {
    var dumped = ""
    dump(error, to: &dumped)
    return [String(describing: error), String(reflecting: error), "\(error)", dumped, error.localizedDescription]
}
