import Accounts
@testable import API
import Domain
import Foundation
import JSON
import Postgres
import Testing
@testable import Trading
@testable import TradingAPI
@testable import Tradingd

/// `GET /api/v1/trading/plants`: the caller's plants only, paged, with the ESM link state.
struct PlantsAPITests {
    private func addPlants(_ f: TradingTestFixture, count: Int, organization: UUID, linkedEvery: Int = 3) throws {
        try f.pool.withConnection { connection in
            for index in 0..<count {
                let linked = index % linkedEvery == 0
                _ = try connection.execute("INSERT INTO plants (organization_id, name, esm_plant_id, esm_state) VALUES ($1, $2, $3, $4)",
                                           [.uuid(organization), .text(String(format: "plant %03d", index)),
                                            linked ? .text("esm-\(index)") : .null, linked ? .text("ACTIVE") : .null])
            }
        }
    }

    @Test func pagesThroughTheOrganizationsPlants() async throws {
        let f = try TradingTestFixture()
        defer { f.tearDown() }
        try addPlants(f, count: 45, organization: f.organizationID)
        try addPlants(f, count: 5, organization: f.otherOrganizationID)

        let first = try await f.call("GET", "/plants", role: .viewer)
        #expect(first.status == 200)
        let meta = try #require(first.object["meta"] as? [String: Int])
        #expect(meta == ["page": 1, "limit": 20, "total": 45, "totalPages": 3])
        let data = try #require(first.object["data"] as? [[String: Any]])
        #expect(data.count == 20)
        #expect(data.first?["name"] as? String == "plant 000")
        #expect(Set(data[0].keys) == ["id", "name", "esmPlantId", "esmState", "esmLinked", "createdAt", "updatedAt"])
        #expect(data[0]["esmLinked"] as? Bool == true && data[0]["esmPlantId"] as? String == "esm-0")
        #expect(data[1]["esmLinked"] as? Bool == false && data[1]["esmPlantId"] is NSNull)

        let last = try await f.call("GET", "/plants?page=3&limit=20")
        #expect((last.object["data"] as? [Any])?.count == 5)
        let beyond = try await f.call("GET", "/plants?page=9&limit=100")
        #expect((beyond.object["data"] as? [Any])?.count == 0)
        #expect((beyond.object["meta"] as? [String: Int])?["totalPages"] == 1)

        // Every id listed belongs to the caller (the other organisation has 5 plants of the same names).
        let all = try await f.call("GET", "/plants?limit=100")
        let ids = (all.object["data"] as? [[String: Any]] ?? []).compactMap { ($0["id"] as? String).flatMap(UUID.init) }
        #expect(ids.count == 45)
        let owned = try f.row("SELECT count(*) FROM plants WHERE organization_id = $1 AND id = ANY ($2)",
                              [.uuid(f.organizationID), .uuidArray(ids)])?.int(0)
        #expect(owned == 45)
    }

    @Test(arguments: ["page=0", "page=-1", "page=x", "limit=0", "limit=101", "limit=1.5", "page=1&page=2"])
    func badPagingIs400(query: String) async throws {
        let f = try TradingTestFixture()
        defer { f.tearDown() }
        let answer = try await f.call("GET", "/plants?\(query)", role: .viewer)
        expectTradingError(answer, status: 400, code: "BAD_REQUEST")
        #expect((answer.object["message"] as? String)?.contains(query.hasPrefix("page") ? "page" : "limit") == true)
    }

    @Test func needsAPrincipal() async throws {
        let f = try TradingTestFixture()
        defer { f.tearDown() }
        expectTradingError(try await f.call("GET", "/plants", role: nil), status: 401, code: "UNAUTHORIZED")
    }

    @Test func pageArithmetic() {
        #expect(PageRequest(page: 3, limit: 20).window == PageWindow(limit: 20, offset: 40))
        #expect(PageRequest(page: 1, limit: 7).meta(total: 0) == ["page": 1, "limit": 7, "total": 0, "totalPages": 0])
        #expect(PageRequest(page: 1, limit: 7).meta(total: 14) == ["page": 1, "limit": 7, "total": 14, "totalPages": 2])
        #expect(PageRequest(page: 1, limit: 7).meta(total: 15) == ["page": 1, "limit": 7, "total": 15, "totalPages": 3])
    }
}
