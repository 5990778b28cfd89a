@testable import API
import Domain
import Foundation
import HTTPServer
import Ingest
import Postgres
import Testing
import TestSupport
@testable import Trading
@testable import TradingAPI
import TradingCore

/// The telemetry and list endpoints as a dashboard calls them (issue 14), through the router and
/// the real database: ISO 8601 forms, a year PostgreSQL cannot store, one timestamp format, the
/// page cap in the message.
struct TelemetryClientFormsTests {
    struct Setup {
        let router: Router
        let organizationID: UUID
        let plantID: UUID
    }

    func setup() throws -> Setup {
        let url = try TestDatabase.fresh()
        let database = try PostgresConnection(url: url)
        let organizationID = try database.query("INSERT INTO organizations (slug, name) VALUES ($1, 'F') RETURNING id",
                                                [.text("f-" + UUID().uuidString.prefix(8).lowercased())]).singleRow()!.uuid("id")
        let plantID = try database.query("INSERT INTO plants (organization_id, name) VALUES ($1, 'p') RETURNING id",
                                         [.uuid(organizationID)]).singleRow()!.uuid("id")
        var sample = TelemetrySample(plantID: plantID, time: TelemetryTimestamp(rfc3339: "2026-12-02T18:00:30.123456Z")!)
        sample[.soc] = 40
        try TelemetryWriter.insert([sample], on: database)
        try TelemetryWriter.insert([MeterReading(plantID: plantID, meterID: "grid", time: TelemetryTimestamp(rfc3339: "2026-12-02T18:01:00Z")!,
                                                 energy: 2)], on: database)
        let pool = PostgresPool(url: url, size: 2)
        var router = Router(middleware: [testOrganizationHeader(missing: DomainError.unauthenticated)])
        TelemetryAPI(pool: pool, now: { TelemetryTimestamp(rfc3339: "2026-12-03T00:00:00Z")! }).register(on: &router)
        CommandLogAPI(pool: pool).register(on: &router)
        return Setup(router: router, organizationID: organizationID, plantID: plantID)
    }

    /// The error message of a plain-envelope answer (this router has no family group).
    func message(_ json: Any?) -> String? { (json as? [String: Any])?["error"] as? String }

    func get(_ s: Setup, _ path: String, _ query: String) throws -> (status: Int, json: Any?) {
        let request = Request(method: "GET", path: "/api/v1/trading/plants/\(s.plantID)\(path)",
                              headers: ["X-Test-Org": s.organizationID.uuidString])
        let response = s.router.respond(to: request, rawQuery: query).response
        return (response.status, try? JSONSerialization.jsonObject(with: Data(response.body)))
    }

    @Test func yearZeroIsABadRequestNotAServerError() throws {
        let s = try setup()
        for path in ["/telemetry", "/meters"] {
            let answer = try get(s, path, "from=0000-01-01T00:00:00Z&to=0000-01-01T00:05:00Z")
            #expect(answer.status == 400, "\(path)")
            let message = message(answer.json) ?? ""
            #expect(message.contains("years 0001 to 9999"), "\(message)")
        }
        #expect(try get(s, "/telemetry", "to=0001-01-01T00:30:00Z").status == 400, "the default from falls in year 0")
        #expect(try get(s, "/telemetry", "from=0001-01-01&to=0001-01-01T01:00Z&interval=60").status == 200)
    }

    @Test func theISO8601FormsOfADashboardAreAccepted() throws {
        let s = try setup()
        let forms = ["from=2026-12-02&to=2026-12-03",
                     "from=2026-12-02T18:00Z&to=2026-12-02T18:10Z",
                     "from=2026-12-02T19:00%2B0100&to=2026-12-02T19:10%2B0100",
                     "from=2026-12-02T19:00:00%2B01&to=2026-12-02T19:10:00%2B01"]
        for query in forms {
            let answer = try get(s, "/telemetry", query + "&interval=1")
            #expect(answer.status == 200, "\(query)")
            let buckets = answer.json as? [[String: Any]] ?? []
            #expect(buckets.map { $0["time"] as? String } == ["2026-12-02T18:00:00.000Z"], "\(query)")
        }
        let refused = try get(s, "/telemetry", "from=2026-12-02T18:00:00")
        #expect(refused.status == 400)
        #expect(message(refused.json)?.hasPrefix("from has no zone") == true)
    }

    @Test func everyTimestampHasMilliseconds() throws {
        let s = try setup()
        let window = "from=2026-12-02T18:00:00Z&to=2026-12-02T19:00:00Z"
        let telemetry = try get(s, "/telemetry", window).json as? [[String: Any]]
        #expect(telemetry?.first?["time"] as? String == "2026-12-02T18:00:00.000Z")
        let meters = try get(s, "/meters", window).json as? [[String: Any]]
        #expect(meters?.first?["time"] as? String == "2026-12-02T18:00:00.000Z")
        let latest = try get(s, "/telemetry/latest", "").json as? [String: Any]
        #expect(latest?["time"] as? String == "2026-12-02T18:00:30.123Z")
    }

    @Test func thePageCapIsInTheMessage() throws {
        let s = try setup()
        let answer = try get(s, "/command-log", "page=1000001")
        #expect(answer.status == 400)
        #expect(message(answer.json) == "page must be an integer from 1 to 1,000,000, got '1000001'")
        #expect(try get(s, "/command-log", "page=1000000").status == 200)
    }
}
