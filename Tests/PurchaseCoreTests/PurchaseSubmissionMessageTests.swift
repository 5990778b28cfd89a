import Testing
@testable import PurchaseCore

/// Every 400 message the body can produce, from an input that triggers it. The seed's own are
/// spelt out literally here (not through `PurchaseMessages`), so a typo there fails.
struct PurchaseSubmissionMessageTests {
    typealias F = PurchaseSubmissionFixtures

    private func message(_ json: String, rules: RetailerRules = F.rules(), maximumRows: Int = 100) -> String? {
        do {
            _ = try PurchaseSubmissionParser.parse(body: F.body(json), rules: rules, maximumRows: maximumRows)
            return nil
        } catch {
            return error.message
        }
    }

    @Test func seedExampleIsAccepted() throws {
        let json = """
            { "purchase": [ { "datetime": "2025-11-11 00:15", "purchase": 12.0 }, { "datetime": "2025-11-11 00:30", "purchase": 13.0 },
            { "datetime": "2025-11-11 00:45", "purchase": 14.0 } ] }
            """
        let rows = try PurchaseSubmissionParser.parse(body: F.body(json), rules: F.rules(), maximumRows: 100).rows
        #expect(rows.map(\.quantity.text) == ["12.000", "13.000", "14.000"])
        #expect(rows.map(\.periodStart) == [1_762_816_500, 1_762_817_400, 1_762_818_300])  // 23:15Z... on 2025-11-10
    }

    @Test(arguments: [
        (#"{}"#, #"Missing required field "purchase"."#),
        (#"{"purchases": []}"#, #"Missing required field "purchase"."#),
        (#"{"purchase": {"datetime": "2025-11-11 00:15", "purchase": 1}}"#, #"Field "purchase" must be an array of objects."#),
        (#"{"purchase": "x"}"#, #"Field "purchase" must be an array of objects."#),
        (#"{"purchase": [1, 2]}"#, #"Field "purchase" must be an array of objects."#),
        (#"{"purchase": [{"datetime": "2025-11-11 00:15", "purchase": 1}, null]}"#, #"Field "purchase" must be an array of objects."#),
        (#"{"purchase": [{"purchase": 1}]}"#, #"Purchase item at index 0 is missing required field "datetime"."#),
        (#"{"purchase": [{"datetime": "2025-11-11 00:15", "purchase": 1}, {"purchase": 2}]}"#,
         #"Purchase item at index 1 is missing required field "datetime"."#),
        (#"{"purchase": [{"datetime": "2025-11-11T00:15", "purchase": 1}]}"#,
         #"Purchase item at index 0: invalid datetime format. Expected "YYYY-MM-DD HH:MM" (e.g., "2024-01-15 14:30")."#),
        (#"{"purchase": [{"datetime": "2025-11-11 00:15:00", "purchase": 1}]}"#,
         #"Purchase item at index 0: invalid datetime format. Expected "YYYY-MM-DD HH:MM" (e.g., "2024-01-15 14:30")."#),
        (#"{"purchase": [{"datetime": 1731280500, "purchase": 1}]}"#,
         #"Purchase item at index 0: invalid datetime format. Expected "YYYY-MM-DD HH:MM" (e.g., "2024-01-15 14:30")."#),
        (#"{"purchase": [{"datetime": "2025-02-29 00:00", "purchase": 1}]}"#,
         #"Purchase item at index 0: invalid datetime format. Expected "YYYY-MM-DD HH:MM" (e.g., "2024-01-15 14:30")."#),
        (#"{"purchase": [{"datetime": "2025-11-11 00:15", "purchase": "12.0"}]}"#,
         #"Purchase item at index 0: field "purchase" must be a number (in MW unit)."#),
        (#"{"purchase": [{"datetime": "2025-11-11 00:15", "purchase": null}]}"#,
         #"Purchase item at index 0: field "purchase" must be a number (in MW unit)."#),
        (#"{"purchase": [{"datetime": "2025-11-11 00:15", "purchase": true}]}"#,
         #"Purchase item at index 0: field "purchase" must be a number (in MW unit)."#),
    ])
    func seedMessages(json: String, expected: String) {
        #expect(message(json) == expected)
    }

    @Test(arguments: [
        ("not json", #"Request body must be valid JSON: unexpected character 'o' at byte 1."#),
        ("", #"Request body must be valid JSON: the document is empty at byte 0."#),
        (#"{"purchase": [{"datetime": "2025-11-11 00:15", "purchase": 1, "purchase": 2}]}"#,
         #"Request body must be valid JSON: duplicate key "purchase" at byte 62."#),
        (#"[{"datetime": "2025-11-11 00:15", "purchase": 1}]"#, #"Request body must be a JSON object."#),
        (#"{"purchase": []}"#, #"Field "purchase" must contain at least one item."#),
        (#"{"purchase": [{"datetime": "2025-11-11 00:15"}]}"#, #"Purchase item at index 0 is missing required field "purchase"."#),
        (#"{"purchase": [{"datetime": "1969-12-31 23:45", "purchase": 1}]}"#,
         #"Purchase item at index 0: datetime "1969-12-31 23:45" is outside the supported years 1970-2199."#),
        (#"{"purchase": [{"datetime": "2025-11-11 00:20", "purchase": 1}]}"#,
         #"Purchase item at index 0: datetime "2025-11-11 00:20" is not on the retailer's 15-minute market interval (minutes 00, 15, 30, 45)."#),
        (#"{"purchase": [{"datetime": "2025-03-30 01:45", "purchase": 1}, {"datetime": "2025-03-30 02:00", "purchase": 1}]}"#,
         #"Purchase item at index 1: datetime "2025-03-30 02:00" does not exist in time zone Europe/Madrid (the clocks skip it when they move forward)."#),
        (#"{"purchase": [{"datetime": "2025-11-11 00:15", "purchase": 1}, {"datetime": "2025-11-11 00:15", "purchase": 2}]}"#,
         #"Purchase item at index 1: duplicate datetime "2025-11-11 00:15" (already at index 0)."#),
        (#"{"purchase": [{"datetime": "2025-10-26 02:30", "purchase": 1}, {"datetime": "2025-10-26 02:30", "purchase": 1}, {"datetime": "2025-10-26 02:30", "purchase": 1}]}"#,
         #"Purchase item at index 2: duplicate datetime "2025-10-26 02:30" (already at index 0 and 1; a repeated hour's datetime may appear twice)."#),
        (#"{"purchase": [{"datetime": "2025-11-11 00:15", "purchase": NaN}]}"#,
         #"Request body must be valid JSON: unexpected character 'N' at byte 59."#),
        (#"{"purchase": [{"datetime": "2025-11-11 00:15", "purchase": 1e400}]}"#,
         #"Purchase item at index 0: field "purchase" must be a finite number (in MW unit)."#),
        (#"{"purchase": [{"datetime": "2025-11-11 00:15", "purchase": -1.5e309}]}"#,
         #"Purchase item at index 0: field "purchase" must be a finite number (in MW unit)."#),
        (#"{"purchase": [{"datetime": "2025-11-11 00:15", "purchase": 1e300}]}"#,
         #"Purchase item at index 0: field "purchase" must be between 0 and 5000 MW."#),
        (#"{"purchase": [{"datetime": "2025-11-11 00:15", "purchase": 5000.001}]}"#,
         #"Purchase item at index 0: field "purchase" must be between 0 and 5000 MW."#),
        (#"{"purchase": [{"datetime": "2025-11-11 00:15", "purchase": 12.0001}]}"#,
         #"Purchase item at index 0: field "purchase" must have at most 3 decimals (kW precision)."#),
        (#"{"purchase": [{"datetime": "2025-11-11 00:15", "purchase": -1}]}"#,
         #"Purchase item at index 0: field "purchase" must not be negative; retailer "123" does not accept sales."#),
        (#"{"purchase": [{"datetime": "2025-11-11 00:15", "purchase": -0.0001}]}"#,
         #"Purchase item at index 0: field "purchase" must not be negative; retailer "123" does not accept sales."#),
    ])
    func messagesBeyondTheSeed(json: String, expected: String) {
        #expect(message(json) == expected)
    }

    @Test func salesRetailerTakesNegativesWithinItsRange() throws {
        let rules = F.rules(allowsSales: true)
        let rows = try PurchaseSubmissionParser.parse(
            body: F.body(#"{"purchase": [{"datetime": "2025-11-11 00:15", "purchase": -12.5}, {"datetime": "2025-11-11 00:30", "purchase": -0}]}"#),
            rules: rules, maximumRows: 10).rows
        #expect(rows.map(\.quantity.kilowatts) == [-12_500, 0])
        #expect(message(#"{"purchase": [{"datetime": "2025-11-11 00:15", "purchase": -5000.001}]}"#, rules: rules)
                == #"Purchase item at index 0: field "purchase" must be between -5000 and 5000 MW."#)
    }

    @Test func rowCap() {
        let labels = (0..<5).map { "2025-11-11 0\($0):00" }
        #expect(message(String(decoding: F.body(labels), as: UTF8.self), maximumRows: 4)
                == #"Field "purchase" has 5 items; at most 4 are accepted."#)
        #expect(message(String(decoding: F.body(labels), as: UTF8.self), maximumRows: 5) == nil)
    }

    @Test(arguments: [(60, "minute 00"), (30, "minutes 00, 30"), (5, "minutes divisible by 5")])
    func intervalMessageNamesTheAllowedMinutes(interval: Int, allowed: String) {
        #expect(message(#"{"purchase": [{"datetime": "2025-11-11 00:07", "purchase": 1}]}"#, rules: F.rules(interval: interval))
                == "Purchase item at index 0: datetime \"2025-11-11 00:07\" is not on the retailer's \(interval)-minute market interval (\(allowed)).")
    }

    @Test func firstProblemInIndexOrderWins() {
        #expect(message(#"{"purchase": [{"datetime": "2025-11-11 00:15", "purchase": "x"}, {"purchase": 1}]}"#)
                == #"Purchase item at index 0: field "purchase" must be a number (in MW unit)."#)
    }
}
