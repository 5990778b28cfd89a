import Accounts
@testable import API
import Domain
import Foundation
import HTTPServer
import JSON
import Postgres
import Testing
import TestSupport
@testable import Trading
@testable import TradingAPI
import TradingCore
@testable import Tradingd

/// `GET /plants/{plantId}/command-log` through the router (no socket): the seed's fields,
/// paging, newest first, the type filter and the errors.
struct CommandLogAPITests {
    private struct Setup {
        let router: Router
        let organizationID: UUID
        let plantID: UUID
        let quietPlantID: UUID
        let foreignPlantID: UUID
    }

    private struct MissingOrganization: Error {}

    /// 25 commands on one plant, one a minute from 10:00 (types cycle through the four), plus one
    /// on a plant of another organisation.
    private func setup() throws -> Setup {
        let url = try TestDatabase.fresh()
        let database = try PostgresConnection(url: url)
        func organization() throws -> UUID {
            try database.query("INSERT INTO organizations (slug, name) VALUES ($1, 'C') RETURNING id",
                               [.text("c-" + UUID().uuidString.prefix(8).lowercased())]).singleRow()!.uuid("id")
        }
        func plant(_ organizationID: UUID) throws -> UUID {
            try database.query("INSERT INTO plants (organization_id, name) VALUES ($1, 'p') RETURNING id", [.uuid(organizationID)])
                .singleRow()!.uuid("id")
        }
        let organizationID = try organization(), other = try organization()
        let plantID = try plant(organizationID), quietPlantID = try plant(organizationID), foreignPlantID = try plant(other)
        let types = CommandType.allCases.map(\.rawValue)
        for index in 0..<25 {
            try database.execute("""
                INSERT INTO command_log (organization_id, plant_id, message_id, correlation_id, command_type, payload, routing_key,
                                         queue_prefix, site_id, status, ack_status, executed_at, rejection_reason, created_at)
                VALUES ($1, $2, $3, $4, $5, $6::jsonb, 'c.commands', 'c', $7, $8, $9, $10, $11,
                        timestamptz '2026-01-15T10:00:00Z' + make_interval(mins => $12::int))
                """, [
                .uuid(organizationID), .uuid(plantID), .text("m-\(index)"), .text("corr-\(index)"), .text(types[index % 4]),
                .text(index % 4 == 0 ? #"{"activePowerKw": 12.5}"# : "{}"), .text("esm-1"),
                .text(index % 4 < 2 ? "RELAYED" : "REJECTED"), index == 24 ? .text("EXECUTED") : .null,
                index == 24 ? .timestamptz(Date(timeIntervalSince1970: 1_768_472_670)) : .null, index % 4 < 2 ? .null : .text("not relayable"), .int(Int64(index)),
            ])
        }
        try database.execute("""
            INSERT INTO command_log (organization_id, plant_id, message_id, correlation_id, command_type, payload, routing_key,
                                     queue_prefix, status)
            VALUES ($1, $2, 'foreign', 'foreign', 'MODE_CHANGE', '{}', 'x.commands', 'x', 'PENDING')
            """, [.uuid(other), .uuid(foreignPlantID)])

        var router = Router(renderer: TradingEnvelope(), middleware: [testOrganizationHeader(missing: MissingOrganization())])
        CommandLogAPI(pool: PostgresPool(url: url, size: 2)).register(on: &router)
        return Setup(router: router, organizationID: organizationID, plantID: plantID, quietPlantID: quietPlantID,
                     foreignPlantID: foreignPlantID)
    }

    private func get(_ s: Setup, plant: String, query: String? = nil) -> Response {
        let request = Request(method: "GET", path: "/api/v1/trading/plants/\(plant)/command-log",
                              headers: ["X-Test-Org": s.organizationID.uuidString])
        return s.router.respond(to: request, rawQuery: query).response
    }

    private func object(_ response: Response) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any])
    }

    private func page(_ response: Response) throws -> (ids: [String], meta: [String: Int]) {
        let body = try object(response)
        let data = try #require(body["data"] as? [[String: Any]])
        let meta = try #require(body["meta"] as? [String: Any]).compactMapValues { ($0 as? NSNumber)?.intValue }
        return (data.compactMap { $0["messageId"] as? String }, meta)
    }

    @Test func firstPageInTheSeedShapeNewestFirst() throws {
        let s = try setup()
        let response = get(s, plant: s.plantID.uuidString)
        #expect(response.status == 200)
        let (ids, meta) = try page(response)
        #expect(ids == (5..<25).reversed().map { "m-\($0)" })
        #expect(meta == ["page": 1, "limit": 20, "total": 25, "totalPages": 2])
        let newest = try #require((try object(response)["data"] as? [[String: Any]])?.first)
        #expect(Set(newest.keys) == ["ackStatus", "commandType", "correlationId", "createdAt", "executedAt", "id", "messageId",
                                     "organizationId", "payload", "rejectionReason", "routingKey", "siteId", "status"])
        #expect(newest["commandType"] as? String == "SITE_SETPOINT")
        #expect(newest["correlationId"] as? String == "corr-24")
        #expect(newest["createdAt"] as? String == "2026-01-15T10:24:00.000Z")
        #expect(newest["executedAt"] as? String == "2026-01-15T10:24:30.000Z")
        #expect(newest["ackStatus"] as? String == "EXECUTED")
        #expect(newest["organizationId"] as? String == s.organizationID.uuidString.lowercased())
        #expect((newest["payload"] as? [String: Any])?["activePowerKw"] as? Double == 12.5)
        #expect(newest["routingKey"] as? String == "c.commands")
        #expect(newest["siteId"] as? String == "esm-1")
        #expect(newest["status"] as? String == "RELAYED")
        #expect(newest["rejectionReason"] is NSNull)
        #expect(UUID(uuidString: newest["id"] as? String ?? "") != nil)
    }

    @Test func pagingAndTheTypeFilter() throws {
        let s = try setup()
        let second = try page(get(s, plant: s.plantID.uuidString, query: "page=2&limit=20"))
        #expect(second.ids == (0..<5).reversed().map { "m-\($0)" })
        let small = try page(get(s, plant: s.plantID.uuidString, query: "page=3&limit=7"))
        #expect(small.ids == ["m-10", "m-9", "m-8", "m-7", "m-6", "m-5", "m-4"])
        #expect(small.meta == ["page": 3, "limit": 7, "total": 25, "totalPages": 4])
        let beyond = try page(get(s, plant: s.plantID.uuidString, query: "page=9"))
        #expect(beyond.ids.isEmpty)
        #expect(beyond.meta["total"] == 25)
        for (offset, type) in CommandType.allCases.enumerated() {
            let filtered = try page(get(s, plant: s.plantID.uuidString, query: "commandType=\(type.rawValue)&limit=100"))
            let expected = (0..<25).filter { $0 % 4 == offset }.reversed().map { "m-\($0)" }
            #expect(filtered.ids == expected, "\(type)")
            #expect(filtered.meta["total"] == expected.count)
        }
        let quiet = try page(get(s, plant: s.quietPlantID.uuidString))
        #expect(quiet.ids.isEmpty)
        #expect(quiet.meta == ["page": 1, "limit": 20, "total": 0, "totalPages": 0])
    }

    @Test(arguments: ["commandType=REBOOT", "commandType=site_setpoint", "commandType=MODE_CHANGE&commandType=EMERGENCY",
                      "page=0", "limit=101", "limit=0", "page=x"])
    func badParametersAre400(query: String) throws {
        let s = try setup()
        let response = get(s, plant: s.plantID.uuidString, query: query)
        #expect(response.status == 400)
        let body = try object(response)
        #expect(body["code"] as? String == "BAD_REQUEST")
        #expect((body["statusCode"] as? NSNumber)?.intValue == 400)
    }

    @Test func plantErrors() throws {
        let s = try setup()
        let bad = get(s, plant: "not-a-uuid")
        #expect(bad.status == 400)
        #expect(try object(bad)["code"] as? String == "BAD_REQUEST")
        for plant in [s.foreignPlantID, UUID()] {
            let response = get(s, plant: plant.uuidString)
            #expect(response.status == 404)
            let body = try object(response)
            #expect(body["code"] as? String == "PLANT_NOT_FOUND")
            #expect(body["message"] as? String == "Plant not found")
        }
    }
}
