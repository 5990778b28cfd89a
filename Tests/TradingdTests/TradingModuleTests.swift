import ESMSimulator
import Foundation
import HTTPServer
import Testing
import TradingCore
@testable import Tradingd

/// The wiring `serve` uses: the module's routes and the relay's view of the ESM clients.
struct TradingModuleTests {
    @Test func relayGetsTheOrganizationsESMClient() async throws {
        let (simulator, f, _) = try await PlantSyncTests.setUp(plants: 1)
        defer { simulator.stop(); f.tearDown() }
        let provider = TradingESMClientProvider(pool: f.pool, clients: f.esmClients)
        let sender = try provider.client(for: f.organizationID)
        let request = ESMCommandRequest(esmPlantID: ESMSimulator.plantID(number: 1), messageID: UUID().uuidString,
                                        correlationID: UUID().uuidString, commandType: .siteSetpoint,
                                        payloadJSON: #"{"activePowerKw": 5}"#, validUntil: nil)
        #expect(sender.sendCommand(request) == .accepted)
        #expect(simulator.stats.commandsReceived == 1)
        #expect(throws: TradingESMClientProvider.NotConfigured.self) { try provider.client(for: f.otherOrganizationID) }
        // The same cached client serves the plant endpoints: one token for both.
        _ = try f.plantSync.sync(organizationID: f.organizationID)
        #expect(simulator.stats.tokensIssued == 1)
    }

    @Test func moduleRegistersEveryTradingRoute() throws {
        let f = try TradingTestFixture()
        defer { f.tearDown() }
        let module = try TradingModule(pool: f.pool, keyring: f.keyring, settings: f.settings, privateAllowList: "",
                                       runtime: f.runtime, logger: .silent)
        var router = Router()
        router.group("/api/v1/trading", renderer: TradingErrorRenderer()) { module.register(on: &$0, prefix: "") }
        let plant = UUID().uuidString
        let routes = [("GET", "/config"), ("POST", "/config"), ("POST", "/config/enable"), ("POST", "/config/disable"),
                      ("GET", "/connection-details"), ("POST", "/connection-details/credentials"), ("GET", "/plants"),
                      ("POST", "/plants/sync"), ("GET", "/plants/\(plant)/config"), ("POST", "/plants/\(plant)/config"),
                      ("POST", "/plants/\(plant)/config/validate"), ("GET", "/plants/\(plant)/config-log")]
        for (method, path) in routes {
            guard case .found = router.resolve(method: method, path: "/api/v1/trading" + path) else {
                Issue.record("\(method) \(path) is not routed")
                continue
            }
        }
    }
}
