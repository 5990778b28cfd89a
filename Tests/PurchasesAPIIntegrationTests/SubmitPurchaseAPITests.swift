import Foundation
import JSON
import Postgres
import PurchaseCore
import Purchases
import TestSupport
import Testing

/// `POST /api/v0/user/{user}/submit-purchase[/{retailer}]` over HTTP: the seed's 201 and every
/// seed message from an input that produces it, spelt out literally.
@Suite final class SubmitPurchaseAPITests {
    let fixture: PurchasesAPIFixture

    init() throws {
        fixture = try PurchasesAPIFixture()
    }

    private func storedRows(_ id: String) throws -> [StoredPurchaseRow] {
        try PurchaseStore().rows(purchaseID: try #require(UUID(uuidString: id)), on: fixture.connection)
    }

    @Test(arguments: ["/api/v0/user/trebolenergia/submit-purchase?retailer_id=123", "/api/v0/user/trebolenergia/submit-purchase/123",
                      "/api/v0/user/TrebolEnergia/submit-purchase/123?retailer_id=123"])
    func seedExampleGivesTheSeedsCreatedAnswer(path: String) throws {
        let answer = try fixture.call("POST", path, body: PurchasesAPIFixture.seedExample)
        #expect(answer.status == 201)
        #expect(answer.header("Content-Type") == "application/json")
        guard case .object(let body) = answer.json, case .string(let id)? = body["id"], case .string(let created)? = body["created_at"] else {
            Issue.record("not the seed's shape: \(answer.text)")
            return
        }
        // Keys in the seed's order, values as the seed shows them.
        let keys = ["id", "status", "error", "rows_uploaded", "created_at", "message"]
        let positions = keys.map { answer.text.range(of: "\"\($0)\"")?.lowerBound }
        #expect(positions.allSatisfy { $0 != nil } && positions.compactMap { $0 } == positions.compactMap { $0 }.sorted())
        #expect(body.count == 6)
        #expect(UUID(uuidString: id) != nil && id == id.lowercased())
        #expect(body["status"] == "pending" && body["error"] == "" && body["rows_uploaded"] == 2)
        #expect(body["message"] == .string("CustomerPurchase created successfully with ID: \(id) for user: trebolenergia and retailer: 123"))
        #expect(created.range(of: #"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$"#, options: .regularExpression) != nil)
        let rows = try storedRows(id)
        #expect(rows.map(\.label) == ["2025-11-11 00:15", "2025-11-11 00:30"])
        #expect(rows.map(\.megawatts) == [Decimal(12), Decimal(13)])
    }

    /// Madrid's two DST days over HTTP, rows out of order: every quarter-hour of the local
    /// day stored at its own instant, as Foundation's calendar (not the parser) counts them; the
    /// fall-back hour's labels twice, the second appearance the later instant.
    @Test(arguments: [("2025-03-30", 92), ("2025-10-26", 100)])
    func daylightSavingDaysOfMadrid(day: String, quarterHours: Int) throws {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = try #require(TimeZone(identifier: "Europe/Madrid"))
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = calendar.timeZone
        formatter.dateFormat = "yyyy-MM-dd"
        let midnight = try #require(formatter.date(from: day))
        let next = try #require(calendar.date(byAdding: .day, value: 1, to: midnight))
        formatter.dateFormat = "yyyy-MM-dd HH:mm"
        let starts = Array(stride(from: midnight.timeIntervalSince1970, to: next.timeIntervalSince1970, by: 900))
        #expect(starts.count == quarterHours)
        let items = starts.enumerated().map { index, start in
            "{\"datetime\": \"\(formatter.string(from: Date(timeIntervalSince1970: start)))\", \"purchase\": \(index).5}"
        }
        // The second half first: rows need not be in order; the repeated hour (all in the first
        // half) keeps its earlier instant's labels before the later ones.
        let half = items.count / 2
        let body = "{\"purchase\": [" + (items[half...] + items[..<half]).joined(separator: ", ") + "]}"
        let answer = try fixture.call("POST", "/api/v0/user/trebolenergia/submit-purchase/123", body: body)
        #expect(answer.status == 201)
        guard case .object(let created) = answer.json, case .string(let id)? = created["id"] else {
            Issue.record("no id: \(answer.text.prefix(300))")
            return
        }
        #expect(created["rows_uploaded"] == .number(Double(quarterHours)))
        let rows = try storedRows(id)
        #expect(rows.map(\.periodStart.timeIntervalSince1970) == starts)
        #expect(rows.map(\.label) == starts.map { formatter.string(from: Date(timeIntervalSince1970: $0)) })
        #expect(rows.map(\.megawatts) == starts.indices.map { Decimal($0) + Decimal(string: "0.5")! })
        let second = rows.filter { $0.occurrence == 2 }.map(\.label)
        #expect(second == (quarterHours == 100 ? ["02:00", "02:15", "02:30", "02:45"].map { "\(day) \($0)" } : []))
    }

    @Test func aYearOfQuarterHoursInOneSubmission() throws {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "Europe/Madrid")
        formatter.dateFormat = "yyyy-MM-dd HH:mm"
        let start = 1_704_063_600  // 2024-01-01 00:00 in Madrid
        let items = (0..<35_136).map { index in
            "{\"datetime\":\"\(formatter.string(from: Date(timeIntervalSince1970: TimeInterval(start + index * 900))))\",\"purchase\":\(index % 1000).125}"
        }
        let answer = try fixture.call("POST", "/api/v0/user/trebolenergia/submit-purchase/123",
                                      body: "{\"purchase\":[" + items.joined(separator: ",") + "]}")
        #expect(answer.status == 201)
        guard case .object(let body) = answer.json, case .string(let id)? = body["id"] else {
            Issue.record("no id: \(answer.text.prefix(300))")
            return
        }
        #expect(body["rows_uploaded"] == 35_136)
        let sum = try fixture.connection.query("SELECT count(*), sum(mw) FROM purchase_rows WHERE purchase_id = $1::uuid", [.text(id)])[0]
        #expect(try sum.int(0) == 35_136)
        // Independent sum: 35 full runs of 0..999 plus 0..135, each with .125 added.
        let whole = 35 * (999 * 1000 / 2) + (135 * 136 / 2)
        #expect(try sum.decimal(1) == Decimal(whole) + Decimal(string: "0.125")! * 35_136)
    }

    @Test(arguments: [
        ("/api/v0/user/%20/submit-purchase?retailer_id=123", PurchasesAPIFixture.seedExample,
         #"Missing required URL parameter "user"."#),
        ("/api/v0/user/trebolenergia/submit-purchase", PurchasesAPIFixture.seedExample,
         #"Missing required URL parameter "retailer_id"."#),
        ("/api/v0/user/trebolenergia/submit-purchase?retailer_id=", PurchasesAPIFixture.seedExample,
         #"Missing required URL parameter "retailer_id"."#),
        ("/api/v0/user/trebolenergia/submit-purchase/123", #"{"purchases": []}"#, #"Missing required field "purchase"."#),
        ("/api/v0/user/trebolenergia/submit-purchase/123", #"{"purchase": {"datetime": "2025-11-11 00:15", "purchase": 1}}"#,
         #"Field "purchase" must be an array of objects."#),
        ("/api/v0/user/trebolenergia/submit-purchase/123", #"{"purchase": [{"purchase": 1}]}"#,
         #"Purchase item at index 0 is missing required field "datetime"."#),
        ("/api/v0/user/trebolenergia/submit-purchase/123", #"{"purchase": [{"datetime": "11/11/2025 00:15", "purchase": 1}]}"#,
         #"Purchase item at index 0: invalid datetime format. Expected "YYYY-MM-DD HH:MM" (e.g., "2024-01-15 14:30")."#),
        ("/api/v0/user/trebolenergia/submit-purchase/123", #"{"purchase": [{"datetime": "2025-11-11 00:15", "purchase": "12"}]}"#,
         #"Purchase item at index 0: field "purchase" must be a number (in MW unit)."#),
        ("/api/v0/user/trebolenergia/submit-purchase/999", PurchasesAPIFixture.seedExample, #"Unknown retailer "999"."#),
        ("/api/v0/user/nobody/submit-purchase/123", PurchasesAPIFixture.seedExample, #"Unknown user "nobody"."#),
        ("/api/v0/user/trebolenergia/submit-purchase/123?retailer_id=124", PurchasesAPIFixture.seedExample,
         #"URL parameters disagree: retailer "123" in the path, retailer_id "124" in the query."#),
        ("/api/v0/user/trebolenergia/submit-purchase?retailer_id=123&retailer_id=123", PurchasesAPIFixture.seedExample,
         #"URL parameter "retailer_id" is given more than once."#),
        ("/api/v0/user/trebolenergia/submit-purchase/123", #"{"purchase": [{"datetime": "2025-03-30 02:30", "purchase": 1}]}"#,
         #"Purchase item at index 0: datetime "2025-03-30 02:30" does not exist in time zone Europe/Madrid (the clocks skip it when they move forward)."#),
    ])
    func badRequestsGetTheSeedsShape(path: String, body: String, message: String) throws {
        let answer = try fixture.call("POST", path, body: body)
        #expect(answer.status == 400)
        #expect(answer.message?.key == "error")
        #expect(answer.message?.text == message)
        #expect(try fixture.connection.query("SELECT count(*) FROM purchases")[0].int(0) == 0)
    }

    @Test func rowCapIsConfigured() throws {
        let small = try PurchasesAPIFixture(maximumRows: 1)
        let answer = try small.call("POST", "/api/v0/user/trebolenergia/submit-purchase/123", body: PurchasesAPIFixture.seedExample)
        #expect(answer.status == 400 && answer.message?.text == #"Field "purchase" has 2 items; at most 1 are accepted."#)
    }

    @Test func storageFailureIsTheSeeds500() throws {
        try fixture.connection.execute("ALTER TABLE purchase_rows RENAME TO purchase_rows_gone")
        let answer = try fixture.call("POST", "/api/v0/user/trebolenergia/submit-purchase/123", body: PurchasesAPIFixture.seedExample)
        #expect(answer.status == 500)
        #expect(answer.json == ["error": "Internal server error while creating purchase."])
        #expect(try fixture.connection.query("SELECT count(*) FROM purchases")[0].int(0) == 0)
    }
}
