import Accounts
@testable import API
import Domain
import ESMSimulator
import Foundation
import JSON
import Postgres
import Testing
@testable import Trading
@testable import TradingAPI
import TradingCore
@testable import Tradingd

/// `POST /plants/sync` and the periodic sync against the in-process ESM simulator.
struct PlantSyncTests {
    /// A simulator with `plants` plants and a fixture whose organisation is configured for it.
    static func setUp(plants: Int = 3, adjust: (inout TradingSettings) -> Void = { _ in })
        async throws -> (ESMSimulator, TradingTestFixture, secret: String) {
        var options = ESMSimulatorOptions()
        options.plantCount = plants
        options.clientSecret = "sim-secret-" + UUID().uuidString
        let simulator = try ESMSimulator(options: options)
        let port = try simulator.start()
        let fixture = try TradingTestFixture(privateAllowList: "127.0.0.1:\(port)", adjust: adjust)
        let answer = try await fixture.configure(url: simulator.baseURL, clientID: options.clientID, secret: options.clientSecret)
        #expect(answer.status == 200, "\(answer.text)")
        return (simulator, fixture, options.clientSecret)
    }

    private func plants(_ f: TradingTestFixture) async throws -> [[String: Any]] {
        try await f.call("GET", "/plants?limit=100", role: .viewer).object["data"] as? [[String: Any]] ?? []
    }

    @Test func syncUpsertsTheESMsPlantsIdempotently() async throws {
        let (simulator, f, secret) = try await Self.setUp()
        defer { simulator.stop(); f.tearDown() }
        let first = try await f.call("POST", "/plants/sync", role: .operator)
        #expect(first.status == 200, "\(first.text)")
        #expect(first.object as NSDictionary == ["synced": 3, "errors": 0] as NSDictionary)
        let listed = try await plants(f)
        #expect(Set(listed.compactMap { $0["esmPlantId"] as? String }) == Set(simulator.plants.map(\.id)))
        #expect(Set(listed.compactMap { $0["name"] as? String }) == Set(simulator.plants.map(\.name)))
        #expect(listed.allSatisfy { $0["esmLinked"] as? Bool == true && $0["esmState"] as? String == "ONLINE" })

        // Again, plus one new plant and one gone: no duplicates, the gone one is marked.
        let gone = simulator.plants[0].id
        try f.pool.withConnection { _ = try $0.execute("UPDATE plants SET esm_plant_id = 'esm-gone' WHERE esm_plant_id = $1", [.text(gone)]) }
        simulator.addPlant(ESMPlant(id: "extra-plant", name: "Extra", state: "OFFLINE"))
        let second = try await f.call("POST", "/plants/sync", role: .operator)
        #expect(second.object["synced"] as? Int == 4)  // the 3 listed before (one re-linked as new) and the extra one
        let after = try await plants(f)
        #expect(after.count == 5)
        #expect(after.first { $0["esmPlantId"] as? String == "esm-gone" }?["esmState"] as? String == "MISSING")
        #expect(after.first { $0["esmPlantId"] as? String == "extra-plant" }?["esmState"] as? String == "OFFLINE")

        let config = try await f.call("GET", "/config").object
        #expect(config["lastSyncAt"] is String)
        #expect(config["lastSyncError"] is NSNull)
        #expect(!f.logs.lines.contains { $0.contains(secret) })
    }

    @Test func syncErrors() async throws {
        let (simulator, f, _) = try await Self.setUp()
        defer { simulator.stop(); f.tearDown() }
        expectTradingError(try await f.call("POST", "/plants/sync", role: .viewer), status: 403, code: "FORBIDDEN")
        expectTradingError(try await f.call("POST", "/plants/sync", role: nil), status: 401, code: "UNAUTHORIZED")
        expectTradingError(try await f.call("POST", "/plants/sync", role: .operator, organization: f.otherOrganizationID),
                           status: 400, code: "ESM_NOT_CONFIGURED", message: "ESM integration is not configured")

        try simulator.setDown(true)
        let down = try await f.call("POST", "/plants/sync", role: .operator)
        expectTradingError(down, status: 502, code: "ESM_UNAVAILABLE")
        #expect((down.object["details"] as? [String: Any])?["esmCode"] as? String == "ESM_UNREACHABLE")
        let config = try await f.call("GET", "/config").object
        #expect((config["lastSyncError"] as? String)?.contains("unreachable") == true, "\(config)")
        #expect(config["lastSyncAt"] is String)
        #expect(try await plants(f).isEmpty)
    }

    @Test func periodicSyncClaimsEachOrganizationOncePerInterval() async throws {
        let (simulator, f, _) = try await Self.setUp(plants: 2)
        defer { simulator.stop(); f.tearDown() }
        #expect(try await f.call("POST", "/config/enable").status == 200)
        let scheduler = TradingScheduler(pool: f.pool, sync: f.plantSync, runtime: f.runtime, interval: .seconds(600), logger: .silent)
        let other = TradingScheduler(pool: f.pool, sync: f.plantSync, runtime: f.runtime, interval: .seconds(600), logger: .silent)
        #expect(scheduler.runOnce() == [f.organizationID])
        #expect(other.runOnce().isEmpty)  // a second replica within the interval: already claimed
        #expect(try await plants(f).count == 2)
        // Reconciliation told the runtime (again, idempotently) that the organisation is enabled.
        #expect(f.runtime.events.filter { $0 == .enabled(f.organizationID, f.slug) }.count == 3)

        #expect(try await f.call("POST", "/config/disable").status == 200)
        #expect(scheduler.runOnce().isEmpty)
        #expect(f.runtime.events.last == .disabled(f.organizationID, f.slug))
    }

    @Test func schedulerThreadStartsAndStops() async throws {
        let (simulator, f, _) = try await Self.setUp(plants: 1)
        defer { simulator.stop(); f.tearDown() }
        #expect(try await f.call("POST", "/config/enable").status == 200)
        let scheduler = TradingScheduler(pool: f.pool, sync: f.plantSync, runtime: f.runtime, interval: .seconds(600), logger: .silent)
        scheduler.start()
        let deadline = ContinuousClock.now + .seconds(10)
        while try await plants(f).isEmpty, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(50)) }
        #expect(scheduler.stop(by: .now + .seconds(10)))
        #expect(try await plants(f).count == 1)
    }
}
