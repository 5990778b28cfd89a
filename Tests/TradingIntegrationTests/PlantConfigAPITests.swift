import Accounts
@testable import API
import Domain
import ESMSimulator
import Foundation
import HTTPServer
import JSON
import Postgres
import Synchronization
import Testing
import TestSupport
@testable import Trading
@testable import TradingAPI
import TradingCore
@testable import Tradingd

/// A plant's ESM configuration through the API: reads, changes, dry runs, local validation, the
/// config log, and ESM outage, slowness and 5xx.
struct PlantConfigAPITests {
    /// The fixture synced against the simulator; returns tradingd's id of simulated plant 1.
    private func setUp(adjust: (inout TradingSettings) -> Void = { _ in })
        async throws -> (ESMSimulator, TradingTestFixture, plant: UUID, esmPlant: String, secret: String) {
        let (simulator, f, secret) = try await PlantSyncTests.setUp(plants: 2, adjust: adjust)
        #expect(try await f.call("POST", "/plants/sync", role: .operator).status == 200)
        let esmPlant = ESMSimulator.plantID(number: 1)
        let plant = try #require(try f.row("SELECT id FROM plants WHERE esm_plant_id = $1", [.text(esmPlant)])?.uuid(0))
        return (simulator, f, plant, esmPlant, secret)
    }

    private static let schedule = """
        {"timeConfigs": [
          {"from": "00:00", "to": "06:00", "pBatMin": -5, "pBatMax": 5, "socMin": 20, "socMax": 90},
          {"from": "06:00", "to": "24:00", "pBatMin": 0, "pBatMax": 3.5, "socMin": 10, "socMax": 100}
        ]}
        """

    private static let logKeys: Set<String> = ["configSnapshot", "createdAt", "id", "isError", "isTerminal", "message", "plantId",
                                               "requestCode", "requestedBy", "respondedAt", "resultCode", "sentAt", "validateOnly"]

    private func log(_ f: TradingTestFixture, _ plant: UUID) async throws -> [[String: Any]] {
        try await f.call("GET", "/plants/\(plant)/config-log", role: .viewer).object["data"] as? [[String: Any]] ?? []
    }

    @Test func readsTheConfigurationTheESMHolds() async throws {
        let (simulator, f, plant, esmPlant, _) = try await setUp()
        defer { simulator.stop(); f.tearDown() }
        let answer = try await f.call("GET", "/plants/\(plant)/config", role: .viewer)
        #expect(answer.status == 200, "\(answer.text)")
        let object = answer.object
        #expect(Set(object.keys) == ["configEnabled", "esiState", "plantId", "timeConfigs", "version"])
        let held = try #require(simulator.config(forPlant: esmPlant))
        #expect(object["plantId"] as? String == plant.uuidString.lowercased())
        #expect(object["version"] as? Int == held.version)
        #expect(object["esiState"] as? String == held.esiState)
        #expect(object["configEnabled"] as? Bool == held.configEnabled)
        #expect((object["timeConfigs"] as? [[String: Any]])?.map { $0["from"] as? String } == held.timeConfigs.map(\.from))
    }

    @Test func theGetBodyPostsBackToValidateWithItsReadOnlyFieldsIgnored() async throws {
        let (simulator, f, plant, _, _) = try await setUp()
        defer { simulator.stop(); f.tearDown() }
        let read = try await f.call("GET", "/plants/\(plant)/config", role: .viewer)
        let answer = try await f.call("POST", "/plants/\(plant)/config/validate", role: .operator, body: read.text)
        #expect(answer.status == 200, "\(answer.text)")
        #expect(answer.object["validateOnly"] as? Bool == true)
        let stamp = #/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/#
        #expect((answer.object["createdAt"] as? String)?.wholeMatch(of: stamp) != nil, "\(answer.text)")
        let repeated = try await f.call("POST", "/plants/\(plant)/config/validate", role: .operator,
                                        body: #"{"timeConfigs": [], "timeConfigs": []}"#)
        expectTradingError(repeated, status: 400, code: "BAD_REQUEST")
        #expect((repeated.object["message"] as? String)?.contains("Duplicate key 'timeConfigs'") == true, "\(repeated.text)")
        let unknown = try await f.call("POST", "/plants/\(plant)/config/validate", role: .operator,
                                       body: #"{"timeConfigs": [], "colour": 1}"#)
        #expect(unknown.status == 400, "truly unknown fields are still refused")
    }

    @Test func changeIsAppliedAndLogged() async throws {
        let (simulator, f, plant, esmPlant, secret) = try await setUp()
        defer { simulator.stop(); f.tearDown() }
        let before = try #require(simulator.config(forPlant: esmPlant)).version
        let answer = try await f.call("POST", "/plants/\(plant)/config", role: .operator, body: Self.schedule)
        #expect(answer.status == 200, "\(answer.text)")
        let entry = answer.object
        #expect(Set(entry.keys) == Self.logKeys)
        #expect(entry["resultCode"] as? String == "APPLIED")
        #expect(entry["isError"] as? Bool == false && entry["isTerminal"] as? Bool == true)
        #expect(entry["validateOnly"] as? Bool == false)
        #expect(entry["requestedBy"] as? String == f.tokenID.uuidString.lowercased())
        #expect(entry["plantId"] as? String == plant.uuidString.lowercased())
        #expect(entry["sentAt"] is String && entry["respondedAt"] is String && entry["requestCode"] is String)
        let snapshot = try #require(entry["configSnapshot"] as? [String: Any])
        #expect((snapshot["timeConfigs"] as? [[String: Any]])?.count == 2)

        let held = try #require(simulator.config(forPlant: esmPlant))
        #expect(held.version == before + 1)
        #expect(held.timeConfigs == [ESMTimeConfig(from: "00:00", to: "06:00", pBatMin: -5, pBatMax: 5, socMin: 20, socMax: 90),
                                     ESMTimeConfig(from: "06:00", to: "24:00", pBatMin: 0, pBatMax: 3.5, socMin: 10, socMax: 100)])
        let logged = try await log(f, plant)
        #expect(logged.count == 1)
        #expect(logged.first?["id"] as? Int == entry["id"] as? Int)
        // The GET now shows the new blocks.
        let read = try await f.call("GET", "/plants/\(plant)/config").object
        #expect(read["version"] as? Int == before + 1)
        // The ESM secret appears in no response, log line or row.
        #expect(!answer.text.contains(secret) && !f.logs.lines.contains { $0.contains(secret) })
        let rows = try f.row("""
            SELECT (SELECT count(*) FROM trading_configs t WHERE t::text LIKE '%' || $1 || '%')
                 + (SELECT count(*) FROM plant_config_log l WHERE l::text LIKE '%' || $1 || '%')
            """, [.text(secret)])?.int(0)
        #expect(rows == 0)
    }

    @Test func validateOnlyNeverChangesThePlant() async throws {
        let (simulator, f, plant, esmPlant, _) = try await setUp()
        defer { simulator.stop(); f.tearDown() }
        let held = try #require(simulator.config(forPlant: esmPlant))
        let dryRun = try await f.call("POST", "/plants/\(plant)/config/validate", role: .operator,
                                      body: Self.schedule.replacingOccurrences(of: "]}", with: "], \"validateOnly\": false}"))
        #expect(dryRun.status == 200, "\(dryRun.text)")
        #expect(dryRun.object["validateOnly"] as? Bool == true)
        #expect(dryRun.object["resultCode"] as? String == "VALID")
        let flagged = try await f.call("POST", "/plants/\(plant)/config", role: .operator,
                                       body: Self.schedule.replacingOccurrences(of: "]}", with: "], \"validateOnly\": true}"))
        #expect(flagged.object["validateOnly"] as? Bool == true)
        #expect(simulator.config(forPlant: esmPlant) == held)
        #expect(simulator.stats.configUpdates == 0)
        #expect(try await log(f, plant).map { $0["validateOnly"] as? Bool } == [true, true])
    }

    @Test func localViolationsNeverReachTheESM() async throws {
        let (simulator, f, plant, _, _) = try await setUp()
        defer { simulator.stop(); f.tearDown() }
        let requestsBefore = simulator.stats.requests
        let answer = try await f.call("POST", "/plants/\(plant)/config", role: .operator, body: """
            {"timeConfigs": [
              {"from": "00:00", "to": "07:00", "pBatMin": 5, "pBatMax": -5, "socMin": 20, "socMax": 90},
              {"from": "06:00", "to": "25:00", "pBatMin": 0, "pBatMax": 1, "socMin": 10, "socMax": 101},
              "not a block"
            ]}
            """)
        expectTradingError(answer, status: 400, code: "BAD_REQUEST")
        let found = Set(answer.violations.map { "\($0["index"] as? Int ?? -1):\($0["field"] as? String ?? "")" })
        #expect(found == ["0:pBatMin", "1:from", "1:to", "1:socMax", "2:timeConfigs"], "\(answer.text)")
        #expect(simulator.stats.requests == requestsBefore)
        let logged = try await log(f, plant)
        #expect(logged.first?["resultCode"] as? String == "LOCAL_VALIDATION_FAILED")
        #expect(logged.first?["sentAt"] is NSNull)
        #expect(logged.first?["isError"] as? Bool == true)

        let tooMany = (0..<97).map { i in
            let from = String(format: "%02d:%02d", i * 14 / 60, i * 14 % 60), to = String(format: "%02d:%02d", (i * 14 + 10) / 60, (i * 14 + 10) % 60)
            return #"{"from": "\#(from)", "to": "\#(to)", "pBatMin": 0, "pBatMax": 1, "socMin": 0, "socMax": 100}"#
        }
        let many = try await f.call("POST", "/plants/\(plant)/config", role: .operator, body: #"{"timeConfigs": [\#(tooMany.joined(separator: ","))]}"#)
        expectTradingError(many, status: 400, code: "BAD_REQUEST")
        #expect(many.violations.map { $0["field"] as? String } == ["timeConfigs"])
        for body in ["{}", #"{"timeConfigs": {}}"#, #"{"timeConfigs": [], "validateOnly": "yes"}"#, "[]", "not json"] {
            expectTradingError(try await f.call("POST", "/plants/\(plant)/config", role: .operator, body: body), status: 400, code: "BAD_REQUEST")
        }
        #expect(simulator.stats.requests == requestsBefore)
    }

    @Test func plantErrorsAndRoles() async throws {
        let (simulator, f, plant, _, _) = try await setUp()
        defer { simulator.stop(); f.tearDown() }
        let foreign = try f.pool.withConnection {
            try $0.query("INSERT INTO plants (organization_id, name, esm_plant_id) VALUES ($1, 'x', 'e') RETURNING id",
                         [.uuid(f.otherOrganizationID)])[0].uuid(0)
        }
        let unlinked = try f.pool.withConnection {
            try $0.query("INSERT INTO plants (organization_id, name) VALUES ($1, 'local') RETURNING id", [.uuid(f.organizationID)])[0].uuid(0)
        }
        let routes: [(String, String, String?)] = [("GET", "config", nil), ("POST", "config", Self.schedule),
                                                   ("POST", "config/validate", Self.schedule), ("GET", "config-log", nil)]
        for (method, path, body) in routes {
            expectTradingError(try await f.call(method, "/plants/not-a-uuid/\(path)", role: .operator, body: body), status: 400, code: "BAD_REQUEST")
            for other in [foreign, UUID()] {
                expectTradingError(try await f.call(method, "/plants/\(other)/\(path)", role: .operator, body: body), status: 404,
                                   code: "PLANT_NOT_FOUND", message: "Plant not found")
            }
            expectTradingError(try await f.call(method, "/plants/\(plant)/\(path)", role: nil, body: body), status: 401, code: "UNAUTHORIZED")
            if path != "config-log" {
                let answer = try await f.call(method, "/plants/\(unlinked)/\(path)", role: .operator, body: body)
                expectTradingError(answer, status: 400, code: "BAD_REQUEST")
                #expect((answer.object["message"] as? String)?.contains("not linked") == true)
            }
        }
        for path in ["config", "config/validate"] {
            expectTradingError(try await f.call("POST", "/plants/\(plant)/\(path)", role: .viewer, body: Self.schedule), status: 403, code: "FORBIDDEN")
        }
        expectTradingError(try await f.call("GET", "/plants/\(plant)/config-log?limit=0"), status: 400, code: "BAD_REQUEST")
        // An organisation without ESM configuration.
        let otherLinked = try f.pool.withConnection {
            try $0.query("INSERT INTO plants (organization_id, name, esm_plant_id) VALUES ($1, 'y', 'e2') RETURNING id",
                         [.uuid(f.otherOrganizationID)])[0].uuid(0)
        }
        let unconfigured = try await f.call("GET", "/plants/\(otherLinked)/config", organization: f.otherOrganizationID)
        expectTradingError(unconfigured, status: 400, code: "BAD_REQUEST")
        #expect((unconfigured.object["message"] as? String)?.contains("not configured") == true)
    }

    @Test func configLogPagesNewestFirst() async throws {
        let (simulator, f, plant, _, _) = try await setUp()
        defer { simulator.stop(); f.tearDown() }
        for _ in 0..<3 {
            #expect(try await f.call("POST", "/plants/\(plant)/config/validate", role: .operator, body: Self.schedule).status == 200)
        }
        let page = try await f.call("GET", "/plants/\(plant)/config-log?page=2&limit=2")
        #expect(page.status == 200)
        #expect((page.object["meta"] as? [String: Int]) == ["page": 2, "limit": 2, "total": 3, "totalPages": 2])
        let all = try await log(f, plant).compactMap { $0["id"] as? Int }
        #expect(all == all.sorted(by: >) && all.count == 3)
        #expect((page.object["data"] as? [[String: Any]])?.compactMap { $0["id"] as? Int } == [all[2]])
    }

    @Test func esmOutageIsAClearErrorAndLogged() async throws {
        let (simulator, f, plant, _, _) = try await setUp()
        defer { simulator.stop(); f.tearDown() }
        try simulator.setDown(true)
        let answer = try await f.call("POST", "/plants/\(plant)/config", role: .operator, body: Self.schedule)
        expectTradingError(answer, status: 502, code: "ESM_UNAVAILABLE")
        let details = try #require(answer.object["details"] as? [String: Any])
        #expect(details["esmCode"] as? String == "ESM_UNREACHABLE")
        let entry = try #require(try await log(f, plant).first)
        #expect(details["configLogId"] as? Int == entry["id"] as? Int)
        #expect(entry["isError"] as? Bool == true && entry["isTerminal"] as? Bool == false)
        #expect(entry["resultCode"] as? String == "ESM_UNREACHABLE")
        #expect(entry["sentAt"] is String && entry["respondedAt"] is NSNull)
        expectTradingError(try await f.call("GET", "/plants/\(plant)/config"), status: 502, code: "ESM_UNAVAILABLE")
    }

    @Test func esmSlownessIsATimeout() async throws {
        let (simulator, f, plant, _, _) = try await setUp()
        defer { simulator.stop(); f.tearDown() }
        simulator.latency = .seconds(2)  // the fixture's request timeout is 0.8 s
        let answer = try await f.call("POST", "/plants/\(plant)/config/validate", role: .operator, body: Self.schedule)
        expectTradingError(answer, status: 502, code: "ESM_UNAVAILABLE")
        #expect((answer.object["details"] as? [String: Any])?["esmCode"] as? String == "ESM_TIMEOUT")
        let entry = try #require(try await log(f, plant).first)
        #expect(entry["resultCode"] as? String == "ESM_TIMEOUT" && entry["isError"] as? Bool == true)
    }

    /// docs/RELIABILITY.md, item 11: the fixture serves with 4 workers and caps an
    /// organisation's ESM calls at 2. Four reads against a stalled ESM: two wait at the ESM, two
    /// are refused at once, and another organisation is answered while the two still wait.
    /// Without the cap the four reads held every worker until the ESM answered.
    @Test func aStalledESMHoldsOnlyItsOrganisationsShareOfTheWorkers() async throws {
        let (simulator, f, plant, _, _) = try await setUp { settings in
            settings.esmMaxConcurrentCalls = 2
            settings.esmRequestTimeout = .seconds(50)
            settings.esmCallDeadline = .seconds(55)
        }
        defer { simulator.stop(); f.tearDown() }
        let atTheESMBefore = simulator.stats.requests
        simulator.latency = .seconds(60)   // cut short by simulator.stop() below
        let answered = AnsweredStatuses()
        let reads = (0..<4).map { _ in
            Task {
                let answer = try await f.call("GET", "/plants/\(plant)/config", role: .viewer)
                answered.append(answer.status)
                return answer
            }
        }
        try await suspendUntil(timeout: .seconds(30), "two reads are answered") { answered.all.count >= 2 }
        try await suspendUntil(timeout: .seconds(30), "two reads wait at the ESM") { simulator.stats.requests - atTheESMBefore == 2 }
        let other = try await f.call("GET", "/config", role: .viewer, organization: f.otherOrganizationID)
        #expect(other.status == 200, "\(other.text)")
        #expect(answered.all == [502, 502], "only the refused reads are answered while the ESM stalls")
        #expect(simulator.stats.requests - atTheESMBefore == 2, "the refused reads never reached the ESM")

        simulator.stop()   // the stalled reads are answered now
        var busy = 0
        for read in reads {
            let answer = try await read.value
            if answer.status == 502 {
                #expect((answer.object["details"] as? [String: Any])?["esmCode"] as? String == "ESM_BUSY", "\(answer.text)")
                busy += 1
            } else {
                #expect(answer.status == 200, "\(answer.text)")
            }
        }
        #expect(busy == 2)
        let defaults = TradingSettings(amqpURL: f.settings.amqpURL, managementURL: f.settings.managementURL)
        #expect(defaults.esmMaxConcurrentCalls < HTTPServerConfiguration().workerCount)
        #expect(defaults.esmCallDeadline < ServerLimits().handlerTimeBudget)
    }

    @Test func esmServerErrorsAreClearErrors() async throws {
        let (simulator, f, plant, _, _) = try await setUp()
        defer { simulator.stop(); f.tearDown() }
        simulator.failureRate = 1
        let answer = try await f.call("POST", "/plants/\(plant)/config", role: .operator, body: Self.schedule)
        expectTradingError(answer, status: 502, code: "ESM_UNAVAILABLE")
        #expect((answer.object["details"] as? [String: Any])?["esmCode"] as? String == "ESM_SERVER_ERROR")
        #expect((answer.object["message"] as? String)?.contains("503") == true, "\(answer.text)")
        let entry = try #require(try await log(f, plant).first)
        #expect(entry["resultCode"] as? String == "ESM_SERVER_ERROR" && entry["respondedAt"] is String)
    }

    @Test func aPlantTheESMDoesNotKnowIsRefusedAndLogged() async throws {
        let (simulator, f, plant, _, _) = try await setUp()
        defer { simulator.stop(); f.tearDown() }
        try f.pool.withConnection { _ = try $0.execute("UPDATE plants SET esm_plant_id = 'unknown-to-esm' WHERE id = $1", [.uuid(plant)]) }
        let answer = try await f.call("POST", "/plants/\(plant)/config", role: .operator, body: Self.schedule)
        expectTradingError(answer, status: 400, code: "BAD_REQUEST")
        #expect((answer.object["message"] as? String)?.contains("The ESM refused") == true, "\(answer.text)")
        let entry = try #require(try await log(f, plant).first)
        #expect(entry["resultCode"] as? String == "ESM_CLIENT_ERROR" && entry["isTerminal"] as? Bool == true)
    }
}

/// Statuses in the order the requests were answered.
private final class AnsweredStatuses: Sendable {
    private let statuses = Mutex<[Int]>([])
    func append(_ status: Int) { statuses.withLock { $0.append(status) } }
    var all: [Int] { statuses.withLock { $0 } }
}
