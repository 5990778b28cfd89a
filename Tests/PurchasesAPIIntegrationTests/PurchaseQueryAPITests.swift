import Synchronization
import ArgoSimulator
import Foundation
import PurchaseTestSupport
import JSON
import Purchases
import PurchaseCore
import TestSupport
import Testing

/// Reading purchases back, and submissions dispatched end to end through the API.
@Suite final class PurchaseQueryAPITests {
    struct NotCreated: Error { let answer: String }

    private static func submit(_ fixture: PurchasesAPIFixture, user: String = "trebolenergia") throws -> String {
        let answer = try fixture.call("POST", "/api/v0/user/\(user)/submit-purchase/123", body: PurchasesAPIFixture.seedExample)
        guard case .object(let body) = answer.json, case .string(let id)? = body["id"] else { throw NotCreated(answer: answer.text) }
        return id
    }

    @Test func getAndPageAUsersPurchases() throws {
        let fixture = try PurchasesAPIFixture()
        let ids = try (0..<3).map { _ in try Self.submit(fixture) }
        _ = try PurchasesAPIFixture.makeUser("otra", organization: fixture.organization, on: fixture.connection)
        let foreign = try Self.submit(fixture, user: "otra")
        let one = try fixture.call("GET", "/api/v0/user/trebolenergia/purchases/\(ids[0])")
        #expect(one.status == 200)
        guard case .object(let purchase) = one.json else { Issue.record("\(one.text)"); return }
        #expect(purchase["status"] == "pending" && purchase["user"] == "trebolenergia" && purchase["retailer_id"] == "123")
        #expect(purchase["rows_uploaded"] == 2 && purchase["workflow_name"] == .null && purchase["dispatch_attempts"] == 0)
        #expect(purchase["first_period_start"] == "2025-11-10T23:15:00Z" && purchase["last_period_start"] == "2025-11-10T23:30:00Z")
        let page = try fixture.call("GET", "/api/v0/user/trebolenergia/purchases?page=1&limit=2")
        guard case .object(let list) = page.json, case .array(let results)? = list["results"] else { Issue.record("\(page.text)"); return }
        #expect(list["count"] == 3 && list["previous"] == .null)
        #expect(list["next"] == "/api/v0/user/trebolenergia/purchases?page=2&limit=2")
        let listed = results.compactMap { result -> JSONValue? in
            guard case .object(let object) = result else { return nil }
            return object["id"]
        }
        #expect(listed == [.string(ids[2]), .string(ids[1])])
        let notFound: JSONValue = ["detail": "Not found."]
        #expect(try fixture.call("GET", "/api/v0/user/trebolenergia/purchases/\(foreign)").json == notFound)
        #expect(try fixture.call("GET", "/api/v0/user/trebolenergia/purchases/not-a-uuid").json == notFound)
        #expect(try fixture.call("GET", "/api/v0/user/nobody/purchases").json == notFound)
        #expect(try fixture.call("GET", "/api/v0/user/trebolenergia/purchases?limit=0").status == 400)
    }

    /// 50 clients at once (50 threads released together): 50 purchases, 50 workflows, each
    /// followed to completion.
    @Test func fiftyConcurrentSubmissions() throws {
        var knobs = ArgoSimulatorKnobs()
        knobs.pendingMilliseconds = 50
        knobs.runningMilliseconds = 100
        let argo = try ArgoFixture(knobs: knobs)
        let fixture = try PurchasesAPIFixture(dispatchTo: try argo.engine())
        let ids = Mutex<[String]>([])
        let failures = Mutex<[String]>([])
        runOnThreads(50) { _ in
            do {
                let id = try Self.submit(fixture)
                ids.withLock { $0.append(id) }
            } catch {
                failures.withLock { $0.append(String(describing: error)) }
            }
        }
        let submitted = ids.withLock { $0 }
        #expect(failures.withLock { $0 } == [])
        #expect(submitted.count == 50 && Set(submitted).count == 50)
        #expect(try fixture.connection.query("SELECT count(*) FROM purchases")[0].int(0) == 50)
        try waitUntil("50 completed") {
            try fixture.connection.query("SELECT count(*) FROM purchases WHERE status = 'completed'")[0].int(0) == 50
        }
        #expect(Set(argo.simulator.workflows.values.map(\.name)) == Set(submitted.map { "purchase-\($0)" }))
        #expect(argo.simulator.stats.workflowsCreated == 50)
        let done = try fixture.call("GET", "/api/v0/user/trebolenergia/purchases/\(submitted[0])")
        guard case .object(let purchase) = done.json else { Issue.record("\(done.text)"); return }
        #expect(purchase["status"] == "completed" && purchase["workflow_engine"] == "argo")
        #expect(purchase["workflow_name"] == .string("purchase-\(submitted[0])"))
    }
}
