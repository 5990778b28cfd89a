import Foundation
import Testing
import TestSupport
@testable import Trading
@testable import TradingAPI

/// What a client of the configuration endpoints expects of writes (issue 14): a GET body posts
/// back, `null` clears, a repeated key is refused by name, a write that changes nothing keeps
/// `updatedAt`, timestamps carry milliseconds.
struct TradingConfigWritesTests {
    static func hasMilliseconds(_ text: String) -> Bool {
        text.wholeMatch(of: #/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z/#) != nil
    }

    @Test func aGetBodyPostedBackIsAcceptedAndItsReadOnlyFieldsIgnored() async throws {
        let f = try TradingTestFixture()
        defer { f.tearDown() }
        try await f.configure()
        let read = try await f.call("GET", "/config")
        var body = read.object
        body["status"] = "ENABLED"                        // read-only: ignored, not a way to enable
        body["id"] = UUID().uuidString
        let posted = try await f.call("POST", "/config", body: String(decoding: try JSONSerialization.data(withJSONObject: body), as: UTF8.self))
        #expect(posted.status == 200, "\(posted.text)")
        #expect(posted.object["status"] as? String == "DISABLED")
        #expect(posted.object["id"] as? String == read.object["id"] as? String)
        #expect(posted.object["updatedAt"] as? String == read.object["updatedAt"] as? String, "nothing changed")
        // A field the resource does not have is still refused.
        let unknown = try await f.call("POST", "/config", body: #"{"esmClientId": "x", "colour": "blue"}"#)
        expectTradingError(unknown, status: 400, code: "VALIDATION_ERROR")
        #expect(unknown.violationMessage("colour") == "unknown field 'colour'")
    }

    @Test func nullClearsAnOptionalFieldAndDisablesTradingWhenItWasNeeded() async throws {
        let f = try TradingTestFixture()
        defer { f.tearDown() }
        try await f.configure()
        #expect(try await f.call("POST", "/config/enable").object["status"] as? String == "ENABLED")
        let cleared = try await f.call("POST", "/config", body: #"{"esmClientId": null, "esmClientSecret": null}"#)
        #expect(cleared.status == 200, "\(cleared.text)")
        #expect(cleared.object["esmClientId"] is NSNull)
        #expect(cleared.object["hasEsmCredentials"] as? Bool == false)
        #expect(cleared.object["status"] as? String == "DISABLED", "an incomplete configuration cannot stay enabled")
        #expect(f.runtime.events.last == .disabled(f.organizationID, f.slug))
        let row = try #require(try f.row("SELECT esm_client_id, esm_client_secret_sealed FROM trading_configs WHERE organization_id = $1",
                                         [.uuid(f.organizationID)]))
        #expect(try row.optionalString(0) == nil)
        #expect(try row.optionalString(1) == nil)
        let url = try await f.call("POST", "/config", body: #"{"esmApiUrl": null}"#)
        #expect(url.object["esmApiUrl"] is NSNull)
        // The empty string is still refused (null is the way to clear), and the prefix cannot be cleared.
        expectTradingError(try await f.call("POST", "/config", body: #"{"esmClientId": ""}"#), status: 400, code: "VALIDATION_ERROR")
        let prefix = try await f.call("POST", "/config", body: #"{"queuePrefix": null}"#)
        expectTradingError(prefix, status: 400, code: "VALIDATION_ERROR")
        #expect(prefix.violationMessage("queuePrefix").contains("cannot be cleared"))
    }

    @Test func aRepeatedKeyIsRefusedByName() async throws {
        let f = try TradingTestFixture()
        defer { f.tearDown() }
        let answer = try await f.call("POST", "/config", body: #"{"esmClientId": "first", "esmClientId": "second"}"#)
        expectTradingError(answer, status: 400, code: "VALIDATION_ERROR")
        #expect(answer.object["message"] as? String
            == "Validation error: Duplicate key 'esmClientId' in the JSON body: each key may appear once per object")
        #expect(try await f.call("GET", "/config").object["esmClientId"] is NSNull, "neither value was stored")
    }

    @Test func writesThatChangeNothingKeepUpdatedAt() async throws {
        let f = try TradingTestFixture()
        defer { f.tearDown() }
        let configured = try await f.configure(secret: "same-secret")
        let before = try #require(configured.object["updatedAt"] as? String)
        #expect(try await f.call("POST", "/config", body: "{}").object["updatedAt"] as? String == before)
        #expect(try await f.configure(secret: "same-secret").object["updatedAt"] as? String == before, "the same values again")
        #expect(try await f.call("POST", "/config/disable").object["updatedAt"] as? String == before, "already disabled")
        let changed = try await f.configure(clientID: "client-2", secret: "same-secret")
        #expect(changed.object["updatedAt"] as? String != before)
    }

    @Test func configurationTimestampsHaveMilliseconds() async throws {
        let f = try TradingTestFixture()
        defer { f.tearDown() }
        let object = try await f.configure().object
        for field in ["createdAt", "updatedAt"] {
            let text = try #require(object[field] as? String)
            #expect(Self.hasMilliseconds(text), "\(field): \(text)")
        }
    }
}
