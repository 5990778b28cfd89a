import CustomerDataAPI
import CustomerDataStores
import ExactJSON
import Foundation
import Postgres
import Synchronization
import Testing

/// The customer-event family through the router: api_key → auth token → events, on a real database.
@Suite struct CustomerEventAPITests {
    let fixture: CustomerDataAPIFixture
    let token: String

    init() throws {
        fixture = try CustomerDataAPIFixture()
        token = try fixture.eventToken()
    }

    /// Seed 003's Example 1 body, as written: the file the local run posts.
    static let example1 = try! String(
        contentsOf: URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Deploy/demo/example1.json"), encoding: .utf8)

    private func post(_ body: String = example1, headers: [String: String]? = nil) -> CustomerDataAPIFixture.Answer {
        var fields = headers ?? ["Authorization": "Bearer \(token)"]
        fields["Content-Type"] = "application/json"
        return fixture.call("POST", "/customer_events/purchases", headers: .init(fields.map { .init(name: $0.key, value: $0.value) }), body: body)
    }

    @Test func example1WorksAsWrittenAndARetryReturnsTheSameId() throws {
        let created = post()
        #expect(created.status == 201)
        #expect(created.object?.keys == ["id"])
        let id = try #require(created.object?["id"]?.stringValue)
        #expect(UUID(uuidString: id) != nil)
        let again = post()
        #expect(again.status == 200)
        #expect(again.object?["id"]?.stringValue == id)
        #expect(try fixture.scalar("SELECT count(*) FROM purchase_customer_events") == 1)
    }

    @Test func aDifferentBodyUnderTheSameReferenceIs409() throws {
        let id = try #require(post().object?["id"]?.stringValue)
        let conflict = post(Self.example1.replacingOccurrences(of: "1572423477", with: "1572423478"))
        #expect(conflict.status == 409)
        #expect(conflict.error == "reference_number \"RF000001\" is already recorded as event \(id) with a different body "
                    + "(performed_on differs); a new event needs a new reference_number.")
    }

    @Test func aRuleBrokenIs400WithItsMessage() throws {
        let answer = post(Self.example1.replacingOccurrences(of: "\"total_amount\": 15.19", with: "\"total_amount\": 15.2"))
        #expect(answer.status == 400)
        #expect(answer.error == "products[0].total_amount: 15.2 is not net_amount + tax_amount (14.15 + 1.04 = 15.19).")
        let unknown = post(Self.example1.replacingOccurrences(of: "CD123456", with: "ZZ"))
        #expect(unknown.error == #"outlet_tap: no business unit has code "ZZ"."#)
        #expect(try fixture.scalar("SELECT count(*) FROM purchase_customer_events") == 0)
    }

    @Test func theEventEndpointNeverAcceptsTheAPIKey() {
        let message = "This endpoint does not accept the api_key: trade it for an auth token with POST /customer_events/token "
            + "and send Authorization: Bearer <token>."
        let asHeader = post(headers: ["api_key": CustomerDataAPIFixture.seedAPIKey])
        #expect(asHeader.status == 401 && asHeader.error == message)
        let asBearer = post(headers: ["Authorization": "Bearer \(CustomerDataAPIFixture.seedAPIKey)"])
        #expect(asBearer.status == 401 && asBearer.error == message)
        let both = post(headers: ["Authorization": "Bearer \(token)", "api_key": CustomerDataAPIFixture.seedAPIKey])
        #expect(both.status == 401 && both.error == message)
        let none = post(headers: [:])
        #expect(none.status == 401)
        #expect(none.error == "An auth token is required: send Authorization: Bearer <token> (from POST /customer_events/token).")
    }

    @Test func expiredAndRevokedTokensAreRefused() throws {
        try fixture.pool.withConnection { _ = try $0.execute("UPDATE customer_event_tokens SET expires_at = now() - interval '1 second'") }
        let expired = post()
        #expect(expired.status == 401)
        #expect(expired.error == "The auth token has expired: request a new one with POST /customer_events/token.")
        let fresh = try fixture.eventToken()
        try fixture.pool.withConnection { try CustomerEventAuthStore().revokeKey(id: fixture.apiKeyID, on: $0) }
        let revoked = post(headers: ["Authorization": "Bearer \(fresh)"])
        #expect(revoked.status == 401 && revoked.error == "The auth token's api_key has been revoked.")
        let trade = fixture.call("POST", "/customer_events/token", headers: ["api_key": CustomerDataAPIFixture.seedAPIKey])
        #expect(trade.status == 401 && trade.error == "The api_key is not valid or has been revoked.")
        #expect(try fixture.scalar("SELECT count(*) FROM purchase_customer_events") == 0)
    }

    @Test func theTokenEndpointAnswersATokenWithItsExpiry() {
        let answer = fixture.call("POST", "/customer_events/token", headers: ["api_key": CustomerDataAPIFixture.seedAPIKey])
        #expect(answer.status == 201)
        #expect(answer.object?.keys == ["token", "expires_on", "expires_in"])
        #expect(answer.object?["expires_in"] == .number(JSONNumber(3600)))
        let expiresOn = Double(answer.object?["expires_on"]?.numberValue?.literal ?? "0") ?? 0
        #expect(abs(expiresOn - Date().timeIntervalSince1970 - 3600) < 120)
        #expect(fixture.call("POST", "/customer_events/token").error == "The api_key header is required.")
        #expect(fixture.call("POST", "/customer_events/token", headers: ["api_key": "wrong"]).status == 401)
    }

    @Test func anEventReadsBackByIdAndInTheContactsList() throws {
        let id = try #require(post().object?["id"]?.stringValue)
        _ = post(Self.example1.replacingOccurrences(of: "RF000001", with: "RF000002").replacingOccurrences(of: "1572423477", with: "1700000000"))
        let event = fixture.call("GET", "/customer_events/purchases/\(id)", headers: ["Authorization": "Bearer \(token)"])
        #expect(event.status == 200)
        let object = try #require(event.object)
        #expect(object["reference_number"] == .string("RF000001"))
        #expect(object["life_cycle_state"] == .string("POSTED"))
        #expect(object["performed_on"]?.numberValue?.literal == "1572423477")
        #expect(object["merchant_tap"]?.objectValue?["code"] == .string("EK123456"))
        #expect(object["products"]?.arrayValue?.first?.objectValue?["total_amount"]?.numberValue?.literal == "15.19")
        #expect(object["spend_request"]?.text == #"{"amount":2.12}"#)
        let list = fixture.call("GET", "/customer_events/purchases?cim=4A30966F684B0269AD91&limit=1", headers: ["Authorization": "Bearer \(token)"])
        #expect(list.status == 200)
        #expect(list.object?["data"]?.arrayValue?.first?.objectValue?["reference_number"] == .string("RF000002"))
        #expect(list.object?["meta"]?.text == #"{"page":1,"limit":1,"total":2,"totalPages":2}"#)
        let contact = try #require(object["contact_id"]?.stringValue)
        let byContact = fixture.call("GET", "/customer_events/purchases?contact_id=\(contact)&page=2&limit=1", headers: ["Authorization": "Bearer \(token)"])
        #expect(byContact.object?["data"]?.arrayValue?.first?.objectValue?["id"] == .string(id))
        #expect(fixture.call("GET", "/customer_events/purchases", headers: ["Authorization": "Bearer \(token)"]).error
                    == "contact_id, cim: specify exactly one of them to name the contact.")
        #expect(fixture.call("GET", "/customer_events/purchases?cim=NOPE", headers: ["Authorization": "Bearer \(token)"]).status == 404)
        #expect(fixture.call("GET", "/customer_events/purchases/\(UUID())", headers: ["Authorization": "Bearer \(token)"]).status == 404)
        #expect(fixture.call("GET", "/customer_events/purchases/PCE1", headers: ["Authorization": "Bearer \(token)"]).error
                    == #"id: "PCE1" is not a GUID."#)
    }

    @Test func aHundredConcurrentIdenticalPostsMakeOneEvent() throws {
        let statuses = Mutex<[Int]>([]), ids = Mutex<Set<String>>([])
        DispatchQueue.concurrentPerform(iterations: 100) { _ in
            let answer = post()
            statuses.withLock { $0.append(answer.status) }
            if let id = answer.object?["id"]?.stringValue { _ = ids.withLock { $0.insert(id) } }
        }
        #expect(statuses.withLock { $0.filter { $0 == 201 }.count } == 1)
        #expect(statuses.withLock { $0.filter { $0 == 200 }.count } == 99)
        #expect(ids.withLock { $0.count } == 1)
        #expect(try fixture.scalar("SELECT count(*) FROM purchase_customer_events") == 1)
    }

    @Test func aHundredConcurrentDistinctPostsMakeAHundredEvents() throws {
        let statuses = Mutex<[Int]>([])
        DispatchQueue.concurrentPerform(iterations: 100) { index in
            let answer = post(Self.example1.replacingOccurrences(of: "RF000001", with: "RF-\(index)"))
            statuses.withLock { $0.append(answer.status) }
        }
        #expect(statuses.withLock { $0 } == Array(repeating: 201, count: 100))
        #expect(try fixture.scalar("SELECT count(DISTINCT reference_number) FROM purchase_customer_events") == 100)
    }
}
