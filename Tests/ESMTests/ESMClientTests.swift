import ESM
import ESMSimulator
import Foundation
import OutboundTestSupport
import TestSupport
import Testing
import TradingCore

/// The ESM client against the simulator over loopback: tokens, calls, retries and errors.
@Suite(.timeLimit(.minutes(2)))
struct ESMClientTests {
    @Test func listsPlantsAndReadsConfig() throws {
        let fixture = try ESMTestFixture(options: { var o = ESMSimulatorOptions(); o.plantCount = 4; return o }())
        let plants = try fixture.client.listPlants()
        #expect(plants.map(\.id) == (1...4).map { ESMSimulator.plantID(number: $0) })
        #expect(plants.allSatisfy { $0.state == "ONLINE" })
        let config = try fixture.client.plantConfig(plantID: ESMTestFixture.plant1)
        #expect(config == fixture.simulator.config(forPlant: ESMTestFixture.plant1))
        #expect(config.plantId == ESMTestFixture.plant1)
    }

    @Test func tokenIsFetchedOnceAndCachedAcrossManyCalls() throws {
        let fixture = try ESMTestFixture()
        for _ in 0..<25 { _ = try fixture.client.listPlants() }
        #expect(fixture.simulator.stats.tokenRequests == 1)
        #expect(fixture.client.tokenRequestCount == 1)
        #expect(fixture.simulator.stats.requests == 26)   // 25 calls + 1 token request
    }

    @Test func tokenIsRefreshedNearExpiryWhileTheOldOneStillWorks() throws {
        var options = ESMSimulatorOptions()
        options.tokenTTL = .seconds(2)
        let fixture = try ESMTestFixture(options: options)
        _ = try fixture.client.listPlants()
        Thread.sleep(forTimeInterval: 1.0)   // 50% of the lifetime: still cached
        _ = try fixture.client.listPlants()
        #expect(fixture.simulator.stats.tokenRequests == 1)
        Thread.sleep(forTimeInterval: 0.7)   // past 80%, before expiry
        _ = try fixture.client.listPlants()
        #expect(fixture.simulator.stats.tokenRequests == 2)
        #expect(fixture.simulator.stats.requests == 5)   // no 401 round trip was needed
    }

    @Test func concurrentCallersShareOneTokenRequest() throws {
        var options = ESMSimulatorOptions()
        options.latency = .milliseconds(100)   // keeps the token request open while the others arrive
        // 24 callers at once: above the default cap of calls per organisation (ESMCallLimitTests).
        let fixture = try ESMTestFixture(options: options) { $0.maxConcurrentCalls = 24 }
        let failures = Counter()
        runOnThreads(24) { _ in
            do { _ = try fixture.client.listPlants() } catch { failures.increment() }
        }
        #expect(failures.value == 0)
        #expect(fixture.simulator.stats.tokenRequests == 1)
        #expect(fixture.client.tokenRequestCount == 1)
    }

    @Test func unauthorizedAnswerRenewsTheTokenOnceAndRetries() throws {
        let fixture = try ESMTestFixture()
        _ = try fixture.client.listPlants()
        fixture.simulator.revokeAllTokens()
        let plants = try fixture.client.listPlants()
        #expect(plants.count == 3)
        #expect(fixture.simulator.stats.tokenRequests == 2)
    }

    @Test func wrongSecretIsUnauthorizedAndNotRetried() throws {
        let fixture = try ESMTestFixture()
        let client = try fixture.makeClient { $0.clientSecret = "wrong-secret-value-123" }
        let error = try #require(throws: ESMError.self) { try client.listPlants() }
        #expect(error.kind == .unauthorized)
        #expect(error.status == 401)
        #expect(!error.isRetriable)
        #expect(fixture.simulator.stats.tokenRequests == 1)
        for text in renderings(of: error) { #expect(!text.contains("wrong-secret-value-123")) }
    }

    @Test func serverErrorsAreRetriedThenSurfaced() throws {
        let fixture = try ESMTestFixture()   // maxAttempts 3
        _ = try fixture.client.listPlants()
        fixture.simulator.failureRate = 1
        let before = fixture.simulator.stats.injectedFailures
        let error = try #require(throws: ESMError.self) { try fixture.client.listPlants() }
        #expect(error.kind == .serverError)
        #expect(error.status == 503)
        #expect(error.isRetriable)
        #expect(error.message.contains("HTTP 503"))
        #expect(error.esmReason == "simulated ESM failure")
        #expect(fixture.simulator.stats.injectedFailures - before == 3)
    }

    @Test func nonIdempotentConfigUpdateIsNotRetriedOnServerError() throws {
        let fixture = try ESMTestFixture()
        _ = try fixture.client.listPlants()
        fixture.simulator.failureRate = 1
        let before = fixture.simulator.stats.requests
        let blocks = [ESMTimeConfig(from: "00:00", to: "24:00", pBatMin: -1, pBatMax: 1, socMin: 0, socMax: 100)]
        let error = try #require(throws: ESMError.self) {
            try fixture.client.updatePlantConfig(plantID: ESMTestFixture.plant1, timeConfigs: blocks, validateOnly: false)
        }
        #expect(error.kind == .serverError)
        #expect(fixture.simulator.stats.requests - before == 1)
    }

    @Test func slowESMTimesOut() throws {
        let fixture = try ESMTestFixture { $0.requestTimeout = .milliseconds(300); $0.maxAttempts = 1 }
        _ = try fixture.client.listPlants()
        fixture.simulator.latency = .seconds(2)
        let started = Date()
        let error = try #require(throws: ESMError.self) { try fixture.client.listPlants() }
        #expect(error.kind == .timeout)
        #expect(error.isRetriable)
        #expect(Date().timeIntervalSince(started) < 1.9)   // gave up before the ESM answered
    }

    @Test func clientErrorIsTerminalWithTheESMReason() throws {
        let fixture = try ESMTestFixture()
        _ = try fixture.client.listPlants()
        let before = fixture.simulator.stats.requests
        let error = try #require(throws: ESMError.self) { try fixture.client.plantConfig(plantID: "no-such-plant") }
        #expect(error.kind == .clientError)
        #expect(error.status == 404)
        #expect(!error.isRetriable && error.isTerminal)
        #expect(error.esmReason == "plant no-such-plant is not known to the ESM")
        #expect(fixture.simulator.stats.requests - before == 1)
    }

    @Test func refusedConnectionIsRetriableAndRecoversWhenTheESMReturns() throws {
        let fixture = try ESMTestFixture()
        _ = try fixture.client.listPlants()
        try fixture.simulator.setDown(true)
        let error = try #require(throws: ESMError.self) { try fixture.client.listPlants() }
        #expect(error.kind == .unreachable)
        #expect(error.isRetriable)
        try fixture.simulator.setDown(false)
        #expect(try fixture.client.listPlants().count == 3)
    }

    @Test func configUpdatesValidateApplyAndRefuse() throws {
        let fixture = try ESMTestFixture()
        let plant = ESMTestFixture.plant1
        let blocks = [ESMTimeConfig(from: "00:00", to: "12:00", pBatMin: -3, pBatMax: 3, socMin: 5, socMax: 95),
                      ESMTimeConfig(from: "12:00", to: "24:00", pBatMin: 0, pBatMax: 8, socMin: 10, socMax: 80)]
        let checked = try fixture.client.updatePlantConfig(plantID: plant, timeConfigs: blocks, validateOnly: true)
        #expect(!checked.isError)
        #expect(fixture.simulator.config(forPlant: plant)?.version == 1)
        let applied = try fixture.client.updatePlantConfig(plantID: plant, timeConfigs: blocks, validateOnly: false)
        #expect(!applied.isError && applied.isTerminal)
        #expect(try fixture.client.plantConfig(plantID: plant).timeConfigs == blocks)
        #expect(fixture.simulator.config(forPlant: plant)?.version == 2)
        var bad = blocks
        bad[1].socMax = 101
        let refused = try fixture.client.updatePlantConfig(plantID: plant, timeConfigs: bad, validateOnly: false)
        #expect(refused.isError && refused.isTerminal)
        #expect(refused.resultCode == "INVALID_CONFIG")
        #expect(refused.message.contains("block 1"))
        #expect(fixture.simulator.config(forPlant: plant)?.version == 2)
    }

    @Test func commandsAreIdempotentByKey() throws {
        let fixture = try ESMTestFixture()
        let command = ESMTestFixture.command("msg-1")
        let first = try fixture.client.sendCommand(plantID: ESMTestFixture.plant1, command: command)
        let second = try fixture.client.sendCommand(plantID: ESMTestFixture.plant1, command: command)
        try fixture.client.sendCommand(plantID: ESMTestFixture.plant1, command: ESMTestFixture.command("msg-2"))
        #expect(first == ESMCommandReceipt(status: 202, isDuplicate: false))
        #expect(second == ESMCommandReceipt(status: 202, isDuplicate: true))
        let seen = fixture.simulator.commands
        #expect(seen["msg-1"]?.received == 2)
        #expect(seen["msg-1"]?.executed == 1)
        #expect(seen["msg-1"]?.correlationId == command.correlationId)
        #expect(seen["msg-2"]?.received == 1)
        #expect(fixture.simulator.stats.commandsExecuted == 2)
    }

    @Test func commandToUnknownPlantIsTerminal() throws {
        let fixture = try ESMTestFixture()
        let error = try #require(throws: ESMError.self) {
            try fixture.client.sendCommand(plantID: "ffffffff-0000-4000-8000-000000000000", command: ESMTestFixture.command("m"))
        }
        #expect(error.kind == .clientError && error.status == 404)
    }
}

