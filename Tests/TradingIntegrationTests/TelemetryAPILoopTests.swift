import Accounts
import API
import Foundation
import FoundationNetworking
import HTTPServer
import Ingest
import Postgres
import Testing
import TestSupport
import Trading
@testable import TradingAPI
import TradingCore

/// The telemetry reads answered on the event loops (one statement on the loop's pipelined
/// connection, the bearer token from the cache) against the same requests answered the ordinary
/// way (the worker pool, the pool's connections): the same statuses and bodies, errors included,
/// and the ordinary way again while the loop's connections are gone.
@Suite struct TelemetryAPILoopTests {
    private static let now = TelemetryTimestamp(rfc3339: "2026-01-15T12:00:00Z")!

    let database: PostgresConnection
    let pool: PostgresPool
    let api: TelemetryAPI
    let router: Router
    let server: HTTPServer
    let port: Int
    let token: String
    let plantID: UUID, emptyPlantID: UUID, foreignPlantID: UUID

    init() throws {
        let url = try TestDatabase.fresh()
        let database = try PostgresConnection(url: url)
        self.database = database
        let store = TokenStore()
        let organizationID = try store.createOrganization(slug: "loop", name: "L", on: database)
        let foreign = try store.createOrganization(slug: "foreign", name: "F", on: database)
        token = try store.createToken(organizationSlug: "loop", role: .viewer, scopes: [.trading], expiresInDays: nil, on: database).token
        func plant(_ organization: UUID) throws -> UUID {
            try database.query("INSERT INTO plants (organization_id, name) VALUES ($1, 'p') RETURNING id", [.uuid(organization)])
                .singleRow()!.uuid("id")
        }
        let plantID = try plant(organizationID)
        self.plantID = plantID
        emptyPlantID = try plant(organizationID)
        foreignPlantID = try plant(foreign)
        var random = IngestRandomData()
        var samples: [TelemetrySample] = []
        for minute in stride(from: 0, to: 240, by: 3) {
            samples.append(random.sample(plant: plantID, time: TelemetryTimestamp(microsecondsSinceEpoch: Self.now.microsecondsSinceEpoch
                                                                                        - Int64(minute) * 60_000_000 - 1_000_000)))
        }
        try TelemetryWriter.insert(samples, on: database)
        try TelemetryWriter.insert([MeterReading(plantID: plantID, meterID: "grid", time: TelemetryTimestamp(rfc3339: "2026-01-15T11:02:00Z")!,
                                                 energy: 1.5)], on: database)

        let pool = PostgresPool(url: url, size: 4)
        self.pool = pool
        let api = TelemetryAPI(pool: pool, maximumBuckets: 100, now: { Self.now })
        self.api = api
        let authentication = BearerAuthentication(scope: .trading, authenticator: Authenticator(pool: pool))
        var router = Router()
        router.group("/api/v1/trading", renderer: TradingEnvelope(), middleware: [authentication]) { group in
            api.register(on: &group, prefix: "")
        }
        self.router = router
        server = HTTPServer(configuration: HTTPServerConfiguration(host: "127.0.0.1", port: 0, eventLoopCount: 2, workerCount: 2),
                            router: router)
        port = try server.start()
    }

    /// Requests covering every answer of the three routes.
    private var requests: [(path: String, query: String?)] {
        let plant = "/api/v1/trading/plants/\(plantID)"
        return [
            (plant + "/telemetry", "from=2026-01-15T09:00:00Z&to=2026-01-15T12:00:00Z&interval=5"),
            (plant + "/telemetry", nil),
            (plant + "/telemetry", "from=2026-01-15T12:00:00%2B01:00&to=2026-01-15T11:05:00Z&interval=60"),
            (plant + "/telemetry", "interval=0"),
            (plant + "/telemetry", "from=2026-01-15T00:00:00Z&to=2026-01-15T12:00:00Z&interval=1"),
            (plant + "/telemetry/latest", nil),
            (plant + "/meters", "from=2026-01-15T11:00:00Z&to=2026-01-15T12:00:00Z&interval=15"),
            ("/api/v1/trading/plants/\(emptyPlantID)/telemetry/latest", nil),
            ("/api/v1/trading/plants/\(emptyPlantID)/telemetry", nil),
            ("/api/v1/trading/plants/\(foreignPlantID)/telemetry/latest", nil),
            ("/api/v1/trading/plants/\(foreignPlantID)/meters", nil),
            ("/api/v1/trading/plants/not-a-uuid/telemetry/latest", nil),
            ("/api/v1/trading/plants/not-a-uuid/telemetry", nil),
        ]
    }

    private struct Answer: Equatable {
        let status: Int
        let contentType: String?
        let body: String
    }

    /// The answer of the ordinary handler (worker path, no socket).
    private func ordinary(_ path: String, _ query: String?, token: String?) -> Answer {
        let headers: HTTPHeaders = token.map { ["Authorization": "Bearer \($0)"] } ?? [:]
        let response = router.respond(to: Request(method: "GET", path: path, headers: headers), rawQuery: query).response
        return Answer(status: response.status, contentType: response.headers["Content-Type"], body: String(decoding: response.body, as: UTF8.self))
    }

    /// The answer through the listener.
    private func overHTTP(_ path: String, _ query: String?, token: String?) async throws -> Answer {
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)\(path)\(query.map { "?" + $0 } ?? "")")!)
        request.timeoutInterval = 30
        if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        let (data, response) = try await URLSession.shared.data(for: request)
        let http = try #require(response as? HTTPURLResponse)
        return Answer(status: http.statusCode, contentType: http.value(forHTTPHeaderField: "Content-Type"), body: String(decoding: data, as: UTF8.self))
    }

    @Test func theLoopAnswersExactlyAsTheWorkerPathDoes() async throws {
        defer { server.stop(grace: .seconds(1)) }
        // The first request looks the token up on a worker; from then on the cache admits on the loop.
        _ = try await overHTTP(requests[0].path, requests[0].query, token: token)
        let before = api.database.counts
        for round in 0..<3 {
            for (path, query) in requests {
                let expected = ordinary(path, query, token: token)
                #expect(try await overHTTP(path, query, token: token) == expected, "round \(round): \(path)?\(query ?? "")")
            }
        }
        let expectedStatuses = requests.map { ordinary($0.path, $0.query, token: token).status }
        #expect(expectedStatuses.contains(200) && expectedStatuses.contains(400) && expectedStatuses.contains(404))
        let after = api.database.counts
        // Requests that fail before their statement (a bad id or parameter) send nothing.
        let statements = requests.filter { ordinary($0.path, $0.query, token: token).status != 400 }.count
        #expect(after.onLoop - before.onLoop >= 2 * statements, "the loop answered (its connections open in the background)")
        for token in [nil, "tdt_" + String(repeating: "0", count: 64)] {
            #expect(try await overHTTP(requests[5].path, nil, token: token) == ordinary(requests[5].path, nil, token: token))
            #expect(try await overHTTP(requests[5].path, nil, token: token).status == 401)
        }
    }

    @Test func whileTheLoopsConnectionsAreGoneTheWorkerPathAnswers() async throws {
        defer { server.stop(grace: .seconds(1)) }
        let (path, query) = requests[0]
        let expected = ordinary(path, query, token: token)
        #expect(expected.status == 200)
        for _ in 0..<20 { #expect(try await overHTTP(path, query, token: token) == expected) }
        try waitUntil(timeout: .seconds(10), "the loops' connections are open") { try pipelineBackends().count >= 2 }
        let terminated = try pipelineBackends()
        for pid in terminated { try database.execute("SELECT pg_terminate_backend($1::int)", [.int(Int64(pid))]) }
        try waitUntil(timeout: .seconds(10), "the terminated backends are gone") { Set(try pipelineBackends()).isDisjoint(with: terminated) }
        let before = api.database.counts
        for _ in 0..<20 { #expect(try await overHTTP(path, query, token: token) == expected) }
        let after = api.database.counts
        #expect(after.onPool > before.onPool, "statements lost with the connections ran on the pool")
        try waitUntil(timeout: .seconds(10), "new loop connections") { try pipelineBackends().count >= 2 }
        for _ in 0..<20 { #expect(try await overHTTP(path, query, token: token) == expected) }
        #expect(api.database.counts.onLoop > after.onLoop, "the loop answers again")
    }

    private func pipelineBackends() throws -> [Int] {
        try database.query("SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND application_name = $1",
                           [.text(PostgresPipeline.applicationName)]).map { try $0.int(0) }
    }
}
