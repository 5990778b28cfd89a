import Foundation
import HTTPServer
import Postgres
import Testing
@testable import Vend
import VendAPI
import VendCore
import VendSimulator

/// The vend routes through the router (no socket): the seed's workflow with its testing tips as
/// written, every error body and its status.
struct VendAPITests {
    final class Client: Sendable {
        let router: Router

        init(_ f: VendFixture) {
            var router = Router()
            VendRoutes(service: f.service).register(on: &router)
            self.router = router
        }

        struct Answer {
            let status: Int
            let headers: HTTPHeaders
            let body: [UInt8]
            var object: [String: Any] { (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any] ?? [:] }
            var text: String { String(decoding: body, as: UTF8.self) }
        }

        func call(_ method: String, _ target: String, json: String? = nil, token: String? = nil, address: String = "192.0.2.10:5555") -> Answer {
            var headers: HTTPHeaders = ["Content-Type": "application/json"]
            if let token { headers.set("Authorization", "Bearer \(token)") }
            let parts = target.split(separator: "?", maxSplits: 1).map(String.init)
            let request = Request(method: method, path: parts[0], headers: headers, body: Array((json ?? "").utf8),
                                  remoteAddress: address, requestID: "test")
            let response = router.respond(to: request, rawQuery: parts.count > 1 ? parts[1] : nil).response
            return Answer(status: response.status, headers: response.headers, body: response.body)
        }
    }

    static let seedValidation = #"{"message":"Please provide required fields or provide amount as interger.","result":"FAILED","type":null}"#

    private func seedUser(_ f: VendFixture) throws {
        _ = try f.pool.withConnection { connection in
            try VendUserStore().create(organizationSlug: "demo", email: "user@example.com", name: "Demo Agent", password: "password123",
                                       iterations: 1_000, on: connection)
        }
    }

    @Test func theSeedsThreeTestingTipsWorkAsWrittenAndTheHistoryShowsThePurchase() throws {
        let f = try VendFixture()
        defer { f.tearDown() }
        try seedUser(f)
        let api = Client(f)
        let login = api.call("POST", "/api/auth/login", json: #"{"email": "user@example.com", "password": "password123"}"#)
        #expect(login.status == 200)
        #expect(login.object["result"] as? String == "SUCCESS")
        #expect((login.object["api_token"] as? String)?.hasPrefix("vat_") == true)

        let verify = api.call("POST", "/api/electricity/verify-customer", json: """
            {"transID": "TXN123456789", "meterNumber": "12345678901", "amount": 50.00, "email": "user@example.com", "password": "password123"}
            """)
        #expect(verify.status == 200)
        let apiToken = try #require(verify.object["api_token"] as? String)
        let elecToken = try #require(verify.object["elec_token"] as? String)
        #expect(verify.object["customer_name"] as? String == "John Doe")

        let buy = api.call("POST", "/api/buyelectricityprod", json: """
            {"transID": "TXN123456789", "meterNumber": "12345678901", "amount": 50.00, "elec_token": "\(elecToken)"}
            """, token: apiToken)
        #expect(buy.status == 200)
        #expect(buy.object["results"] as? String == "SUCCESS" && buy.object["type"] as? String == "DISPLAY")
        #expect(buy.object["message"] is NSNull)
        let items = try #require(buy.object["receiptItems"] as? [String: Any])
        #expect(items["AmountTendered"] as? String == "50.00" && items["customer_name"] as? String == "John Doe")
        #expect(items["reprint"] as? Bool == false)
        let tokens = try #require(items["std_tokens"] as? [[String: Any]])
        let code = try #require(tokens.last?["code"] as? String)
        #expect(code.range(of: #"^\d{4} \d{4} \d{4} \d{4} \d{4}$"#, options: .regularExpression) != nil)
        #expect((items["DateTime"] as? String)?.range(of: #"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$"#, options: .regularExpression) != nil)

        let history = api.call("GET", "/api/transactions", token: apiToken)
        #expect(history.status == 200)
        let data = try #require(history.object["data"] as? [[String: Any]])
        #expect(data.count == 1 && data[0]["transID"] as? String == "TXN123456789" && data[0]["status"] as? String == "success")
        #expect((history.object["meta"] as? [String: Int]) == ["page": 1, "limit": 20, "total": 1, "totalPages": 1])
        let byID = api.call("GET", "/api/transactions/transaction-id/TXN123456789", token: apiToken)
        #expect(byID.status == 200)
        let transaction = try #require(byID.object["transaction"] as? [String: Any])
        let receipt = try #require(transaction["receipt"] as? [String: Any])
        #expect(receipt["reprint"] as? Bool == true)
        #expect(((receipt["std_tokens"] as? [[String: Any]])?.last?["code"] as? String) == code)

        // Running the tips again answers with the same receipt; nothing is bought twice.
        let again = api.call("POST", "/api/electricity/verify-customer", json: """
            {"transID": "TXN123456789", "meterNumber": "12345678901", "amount": 50.00, "email": "user@example.com", "password": "password123"}
            """)
        let rebuy = api.call("POST", "/api/buyelectricityprod", json: """
            {"transID": "TXN123456789", "meterNumber": "12345678901", "amount": 50.00, "elec_token": "\(again.object["elec_token"] as? String ?? "")"}
            """, token: apiToken)
        #expect(rebuy.status == 200)
        #expect(((rebuy.object["receiptItems"] as? [String: Any])?["std_tokens"] as? [[String: Any]])?.last?["code"] as? String == code)
        #expect(f.simulator.stats.creditVends == 1)
    }

    @Test func theAliasRouteBuysToo() throws {
        let f = try VendFixture()
        defer { f.tearDown() }
        let api = Client(f)
        let token = try f.service.logIn(LoginRequest(email: VendFixture.email, password: VendFixture.password), address: "a").get().apiToken
        let elec = try f.verify(f.purchase("ALIAS-1"))
        let buy = api.call("POST", "/api/electricity/purchase-production",
                           json: #"{"transID": "ALIAS-1", "meterNumber": "04040404040", "amount": 50, "elec_token": "\#(elec)"}"#, token: token)
        #expect(buy.status == 200 && buy.object["results"] as? String == "SUCCESS")
        #expect(api.call("POST", "/api/electricity/purchase-production", json: "{}").text == #"{"message":"Unauthenticated."}"#)
    }

    @Test func everyErrorHasTheSeedsShapeAndARealStatus() throws {
        let f = try VendFixture()
        defer { f.tearDown() }
        let api = Client(f)
        let token = try f.service.logIn(LoginRequest(email: VendFixture.email, password: VendFixture.password), address: "a").get().apiToken
        // 401, the seed's body exactly.
        for (method, path) in [("POST", "/api/buyelectricityprod"), ("GET", "/api/transactions"), ("GET", "/api/transactions/transaction-id/X")] {
            let missing = api.call(method, path, json: "{}")
            #expect(missing.status == 401 && missing.text == #"{"message":"Unauthenticated."}"#, "\(path)")
            let wrong = api.call(method, path, json: "{}", token: "vat_" + String(repeating: "0", count: 64))
            #expect(wrong.status == 401 && wrong.text == #"{"message":"Unauthenticated."}"#)
        }
        // 400 with the seed's message for missing fields and fractions.
        for body in ["{}", #"{"transID": "T", "meterNumber": "04040404040", "amount": 50.5, "elec_token": "x"}"#, "[", "",
                     #"{"transID": "T", "meterNumber": "04040404040", "amount": "abc", "elec_token": "x"}"#] {
            let answer = api.call("POST", "/api/buyelectricityprod", json: body, token: token)
            #expect(answer.status == 400 && answer.text == Self.seedValidation, "\(body) -> \(answer.text)")
        }
        let shortMeter = api.call("POST", "/api/buyelectricityprod",
                                  json: #"{"transID": "T", "meterNumber": "0404040404", "amount": 5, "elec_token": "x"}"#, token: token)
        #expect(shortMeter.status == 400)
        #expect(shortMeter.object["message"] as? String
                == "The meterNumber must be an STS meter number of 11 or 13 digits. The amount must be at least 10.00.")
        #expect(shortMeter.object["type"] is NSNull && shortMeter.object["result"] as? String == "FAILED")
        let luhn = api.call("POST", "/api/buyelectricityprod",
                            json: #"{"transID": "T", "meterNumber": "94949494949", "amount": 50, "elec_token": "x"}"#, token: token)
        #expect(luhn.status == 400 && (luhn.object["message"] as? String)?.contains("Luhn") == true)
        let badToken = api.call("POST", "/api/buyelectricityprod",
                                json: #"{"transID": "T", "meterNumber": "04040404040", "amount": 50, "elec_token": "x"}"#, token: token)
        #expect(badToken.status == 400 && (badToken.object["message"] as? String)?.contains("elec_token is not valid") == true)
        // 401 for wrong credentials, 404 for an unregistered meter, 409 for another purchase's transID.
        let credentials = api.call("POST", "/api/auth/login", json: #"{"email": "agent@example.com", "password": "nope nope"}"#)
        #expect(credentials.status == 401 && credentials.object["message"] as? String == "These credentials do not match our records.")
        let unregistered = api.call("POST", "/api/electricity/verify-customer", json: """
            {"transID": "U-1", "meterNumber": "12345678903", "amount": 50, "email": "agent@example.com", "password": "\(VendFixture.password)"}
            """)
        #expect(unregistered.status == 404 && unregistered.object["result"] as? String == "FAILED")
        _ = try f.buy(f.purchase("C-1"))
        let conflict = api.call("POST", "/api/buyelectricityprod",
                                json: #"{"transID": "C-1", "meterNumber": "04040404040", "amount": 60, "elec_token": "x"}"#, token: token)
        #expect(conflict.status == 409 && (conflict.object["message"] as? String)?.contains("C-1") == true)
        // 404 for another user's or an unknown transaction, in the vend shape; 404/405 of the router too.
        let notFound = api.call("GET", "/api/transactions/transaction-id/NOPE", token: token)
        #expect(notFound.status == 404 && notFound.object["message"] as? String == "Transaction not found.")
        #expect(api.call("GET", "/api/buyelectricityprod", token: token).status == 405)
        #expect(api.call("GET", "/api/buyelectricityprod", token: token).object["result"] as? String == "FAILED")
        let page = api.call("GET", "/api/transactions?limit=500", token: token)
        #expect(page.status == 400 && page.object["result"] as? String == "FAILED")
    }

    @Test func providerFailuresArePendingOr502AndThrottlingIs429() throws {
        let f = try VendFixture { $0.throttle.accountLimit = 2 }
        defer { f.tearDown() }
        let api = Client(f)
        let token = try f.service.logIn(LoginRequest(email: VendFixture.email, password: VendFixture.password), address: "a").get().apiToken
        let blocked = try f.verify(f.purchase("B-1", meter: "04040404453"))
        let failed = api.call("POST", "/api/buyelectricityprod",
                              json: #"{"transID": "B-1", "meterNumber": "04040404453", "amount": 50, "elec_token": "\#(blocked)"}"#, token: token)
        #expect(failed.status == 502)
        #expect(failed.text == #"{"details":"Blocked customer","message":"Blueprintelectricity experinced an error while purchasing electricity. Please try again later.","results":"FAILED"}"#)
        f.simulator.knobs.timeoutAfterSaleRate = 1
        let elec = try f.verify(f.purchase("P-1"))
        let pending = api.call("POST", "/api/buyelectricityprod",
                               json: #"{"transID": "P-1", "meterNumber": "04040404040", "amount": 50, "elec_token": "\#(elec)"}"#, token: token)
        #expect(pending.status == 202)
        #expect(pending.object["results"] as? String == "PENDING" && pending.object["status"] as? String == "unknown")
        #expect((pending.object["message"] as? String)?.contains("Do not buy again") == true)

        for _ in 0..<2 { _ = api.call("POST", "/api/auth/login", json: #"{"email": "agent@example.com", "password": "wrong wrong"}"#) }
        let throttled = api.call("POST", "/api/auth/login", json: #"{"email": "agent@example.com", "password": "\#(VendFixture.password)"}"#)
        #expect(throttled.status == 429)
        #expect(Int(throttled.headers["Retry-After"] ?? "") ?? 0 > 0)
        #expect((throttled.object["message"] as? String)?.hasPrefix("Too many login attempts.") == true)
    }
}
