import Accounts
@testable import API
import Domain
import ESMSimulator
import Foundation
import Relay
import HTTPServer
import JSON
import Testing
@testable import Trading
@testable import TradingAPI
import TradingCore
@testable import Tradingd

/// The wiring `serve` uses: the module's routes and the relay's view of the ESM clients.
struct TradingModuleTests {
    @Test func relayGetsTheOrganizationsESMClient() async throws {
        let (simulator, f, _) = try await PlantSyncTests.setUp(plants: 1)
        defer { simulator.stop(); f.tearDown() }
        let provider = TradingESMClientProvider(pool: f.pool, clients: f.esmClients)
        let sender = try provider.client(for: f.organizationID)
        let request = ESMCommandRequest(esmPlantID: ESMSimulator.plantID(number: 1), idempotencyKey: UUID().uuidString, messageID: UUID().uuidString,
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
        let esmClients = try TradingModule.makeESMClients(keyring: f.keyring, settings: f.settings, privateAllowList: "", logger: .silent)
        let module = try TradingModule(pool: f.pool, keyring: f.keyring, settings: f.settings, esmClients: esmClients,
                                       runtime: f.runtime, logger: .silent)
        var router = Router()
        TradingRoutes(module: module, pool: f.pool, maximumBuckets: 100, authentication: TradingTestFixture.testAuthentication)
            .register(on: &router)
        let plant = UUID().uuidString
        let routes = [("GET", "/config"), ("POST", "/config"), ("POST", "/config/enable"), ("POST", "/config/disable"),
                      ("GET", "/connection-details"), ("POST", "/connection-details/credentials"), ("GET", "/plants"),
                      ("POST", "/plants/sync"), ("GET", "/plants/\(plant)/config"), ("POST", "/plants/\(plant)/config"),
                      ("POST", "/plants/\(plant)/config/validate"), ("GET", "/plants/\(plant)/config-log"),
                      ("GET", "/plants/\(plant)/telemetry"), ("GET", "/plants/\(plant)/telemetry/latest"),
                      ("GET", "/plants/\(plant)/meters"), ("GET", "/plants/\(plant)/command-log")]
        for (method, path) in routes {
            guard case .found = router.resolve(method: method, path: "/api/v1/trading" + path) else {
                Issue.record("\(method) \(path) is not routed")
                continue
            }
        }
    }
}
