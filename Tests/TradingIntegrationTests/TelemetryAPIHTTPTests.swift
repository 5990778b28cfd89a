import Accounts
@testable import API
import Domain
import Foundation
import HTTPServer
import Ingest
import JSON
import Postgres
import Testing
import TestSupport
@testable import Trading
@testable import TradingAPI
import TradingCore
@testable import Tradingd

/// The telemetry endpoints through the router (no socket): statuses, error codes and body shapes.
struct TelemetryAPIHTTPTests {
    private static let now = TelemetryTimestamp(rfc3339: "2026-01-15T12:00:00Z")!

    private struct Setup {
        let router: Router
        let organizationID: UUID
        let plantID: UUID
        let emptyPlantID: UUID
        let foreignPlantID: UUID
    }

    /// Test-only stand-in for the authentication middleware: the organisation comes from a header.
    private struct OrganizationHeader: Error {}

    private func setup(maximumBuckets: Int = 2000) throws -> Setup {
        let url = try TestDatabase.fresh()
        let database = try PostgresConnection(url: url)
        func organization() throws -> UUID {
            try database.query("INSERT INTO organizations (slug, name) VALUES ($1, 'H') RETURNING id",
                               [.text("h-" + UUID().uuidString.prefix(8).lowercased())]).singleRow()!.uuid("id")
        }
        func plant(_ organizationID: UUID) throws -> UUID {
            try database.query("INSERT INTO plants (organization_id, name) VALUES ($1, 'p') RETURNING id", [.uuid(organizationID)])
                .singleRow()!.uuid("id")
        }
        let organizationID = try organization()
        let plantID = try plant(organizationID), emptyPlantID = try plant(organizationID), foreignPlantID = try plant(try organization())
        var samples: [TelemetrySample] = []
        for (time, power) in [("2026-01-15T11:00:30Z", 10.0), ("2026-01-15T11:01:30Z", 20.0), ("2026-01-15T11:07:00Z", 5.5)] {
            var sample = TelemetrySample(plantID: plantID, time: TelemetryTimestamp(rfc3339: time)!)
            sample[.fvePower] = power
            sample[.soc] = 50
            samples.append(sample)
        }
        try TelemetryWriter.insert(samples, on: database)
        try TelemetryWriter.insert([MeterReading(plantID: plantID, meterID: "grid", time: TelemetryTimestamp(rfc3339: "2026-01-15T11:02:00Z")!, energy: 1.5)],
                                   on: database)

        let api = TelemetryAPI(pool: PostgresPool(url: url, size: 2), maximumBuckets: maximumBuckets, now: { Self.now })
        var router = Router(middleware: [testOrganizationHeader(missing: OrganizationHeader())])
        api.register(on: &router)
        return Setup(router: router, organizationID: organizationID, plantID: plantID, emptyPlantID: emptyPlantID, foreignPlantID: foreignPlantID)
    }

    private func get(_ s: Setup, _ path: String, query: String? = nil) -> Response {
        let request = Request(method: "GET", path: path, headers: ["X-Test-Org": s.organizationID.uuidString])
        return s.router.respond(to: request, rawQuery: query).response
    }

    private func json(_ response: Response) throws -> Any {
        try JSONSerialization.jsonObject(with: Data(response.body))
    }

    private func code(_ response: Response) -> String? {
        ((try? json(response)) as? [String: Any])?["code"] as? String
    }

    @Test func telemetryBucketsInTheSeedShape() throws {
        let s = try setup()
        let response = get(s, "/api/v1/trading/plants/\(s.plantID)/telemetry", query: "from=2026-01-15T11:00:00Z&to=2026-01-15T12:00:00Z&interval=5")
        #expect(response.status == 200)
        #expect(response.headers["Content-Type"] == "application/json")
        let items = try #require(try json(response) as? [[String: Any]])
        #expect(items.count == 2)
        #expect(Set(items[0].keys) == ["consumption", "fve_power", "fve_reg", "grid_power", "invertor_power", "plant_id", "soc", "time"])
        #expect(items.map { $0["time"] as? String } == ["2026-01-15T11:00:00.000Z", "2026-01-15T11:05:00.000Z"])
        #expect(items.map { ($0["fve_power"] as? NSNumber)?.doubleValue } == [15, 5.5])
        #expect(items[0]["consumption"] is NSNull)
        #expect(items[0]["plant_id"] as? String == s.plantID.uuidString.lowercased())
    }

    @Test func defaultsAreTheLastDayAtFiveMinutes() throws {
        let s = try setup()
        let response = get(s, "/api/v1/trading/plants/\(s.plantID)/telemetry")
        #expect(response.status == 200)
        #expect((try json(response) as? [Any])?.count == 2)
    }

    @Test func plusOffsetArrivingAsSpaceIsRead() throws {
        let s = try setup()
        let response = get(s, "/api/v1/trading/plants/\(s.plantID)/telemetry", query: "from=2026-01-15T12:00:00+01:00&to=2026-01-15T11:05:00Z&interval=60")
        #expect(response.status == 200)
        #expect((try json(response) as? [[String: Any]])?.first?["soc"] as? NSNumber == 50)
    }

    @Test(arguments: [
        ("interval=0", "interval"), ("interval=61", "interval"), ("interval=five", "interval"), ("interval=1.5", "interval"),
        ("from=2026-01-15T11:00:01Z&to=2026-01-15T11:00:00Z", "from"), ("from=yesterday", "from"), ("to=2026-01-15T10:00:00", "to"), ("from=0000-06-01", "from"),
        ("from=2026-01-13T00:00:00Z&interval=1", "interval"), ("interval=5&interval=6", "interval"),
    ])
    func badParametersAre400(query: String, field: String) throws {
        let s = try setup()
        for endpoint in ["telemetry", "meters"] {
            let response = get(s, "/api/v1/trading/plants/\(s.plantID)/\(endpoint)", query: query)
            #expect(response.status == 400, "\(endpoint)?\(query)")
            #expect(code(response) == "BAD_REQUEST")
        }
    }

    @Test func bucketCapIsConfigurable() throws {
        let s = try setup(maximumBuckets: 60)
        let path = "/api/v1/trading/plants/\(s.plantID)/telemetry"
        #expect(get(s, path, query: "from=2026-01-15T11:00:00Z&to=2026-01-15T12:00:00Z&interval=1").status == 200)
        let over = get(s, path, query: "from=2026-01-15T11:00:00Z&to=2026-01-15T12:00:01Z&interval=1")
        #expect(over.status == 400)
        #expect(String(decoding: over.body, as: UTF8.self).contains("61 buckets"))
    }

    @Test func plantErrors() throws {
        let s = try setup()
        let bad = get(s, "/api/v1/trading/plants/not-a-uuid/telemetry")
        #expect(bad.status == 400)
        #expect(code(bad) == "BAD_REQUEST")
        let badLatest = get(s, "/api/v1/trading/plants/not-a-uuid/telemetry/latest")
        #expect(badLatest.status == 400)
        #expect(code(badLatest) == "INVALID_UUID")
        for path in ["telemetry", "telemetry/latest", "meters"] {
            for plant in [s.foreignPlantID, UUID()] {
                let response = get(s, "/api/v1/trading/plants/\(plant)/\(path)")
                #expect(response.status == 404)
                #expect(code(response) == "PLANT_NOT_FOUND")
            }
        }
        let none = get(s, "/api/v1/trading/plants/\(s.emptyPlantID)/telemetry/latest")
        #expect(none.status == 404)
        #expect(code(none) == "NO_TELEMETRY")
        #expect(String(decoding: get(s, "/api/v1/trading/plants/\(s.emptyPlantID)/telemetry").body, as: UTF8.self) == "[]")
    }

    @Test func latestAndMeters() throws {
        let s = try setup()
        let latest = get(s, "/api/v1/trading/plants/\(s.plantID)/telemetry/latest")
        #expect(latest.status == 200)
        let object = try #require(try json(latest) as? [String: Any])
        #expect(object["time"] as? String == "2026-01-15T11:07:00.000Z")
        #expect(object["fve_power"] as? NSNumber == 5.5)
        let meters = get(s, "/api/v1/trading/plants/\(s.plantID)/meters", query: "from=2026-01-15T11:00:00Z&to=2026-01-15T12:00:00Z&interval=15")
        #expect(String(decoding: meters.body, as: UTF8.self)
            == "[{\"energy\":1.5,\"interval\":\"15m\",\"meter_id\":\"grid\",\"plant_id\":\"\(s.plantID.uuidString.lowercased())\",\"time\":\"2026-01-15T11:00:00.000Z\"}]")
    }
}
