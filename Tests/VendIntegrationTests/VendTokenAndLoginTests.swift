import Foundation
import Postgres
import Testing
@testable import Vend
import VendCore

/// elec_tokens are single use and bound; api_tokens expire; logins are throttled; secrets never
/// reach a log line.
struct VendTokenAndLoginTests {
    @Test func anElecTokenIsRefusedWhenReusedExpiredOrPresentedForAnotherPurchase() throws {
        let f = try VendFixture()
        defer { f.tearDown() }
        let first = f.purchase("ET-1")
        let token = try f.verify(first)
        #expect(try f.service.buy(BuyRequest(purchase: first, elecToken: token), by: f.user).receipt != nil)
        // Reused for another purchase.
        #expect(try f.service.buy(BuyRequest(purchase: f.purchase("ET-2"), elecToken: token), by: f.user)
                == .refused(VendRefusals([.elecToken(.used)])))
        // Presented for another meter, amount or transID.
        let fresh = try f.verify(f.purchase("ET-3"))
        #expect(try f.service.buy(BuyRequest(purchase: f.purchase("ET-3", meter: VendFixture.seedMeter), elecToken: fresh), by: f.user)
                == .refused(VendRefusals([.elecToken(.otherMeter)])))
        #expect(try f.service.buy(BuyRequest(purchase: f.purchase("ET-3", amount: 60), elecToken: fresh), by: f.user)
                == .refused(VendRefusals([.elecToken(.otherAmount)])))
        #expect(try f.service.buy(BuyRequest(purchase: f.purchase("ET-4"), elecToken: fresh), by: f.user)
                == .refused(VendRefusals([.elecToken(.otherTransID)])))
        // Another user.
        let other = try f.pool.withConnection { connection in
            try VendUserStore().create(organizationSlug: "demo", email: "other@example.com", name: "Other", password: "another password",
                                       iterations: 1_000, on: connection)
        }
        #expect(try f.service.buy(BuyRequest(purchase: f.purchase("ET-3"), elecToken: fresh), by: other)
                == .refused(VendRefusals([.elecToken(.otherCaller)])))
        // Refusals did not spend it: the purchase it was issued for still goes through.
        #expect(try f.service.buy(BuyRequest(purchase: f.purchase("ET-3"), elecToken: fresh), by: f.user).receipt != nil)
        // Expired.
        let late = try f.verify(f.purchase("ET-5"))
        try f.pool.withConnection { _ = try $0.execute("UPDATE vend_elec_tokens SET expires_at = now() - interval '1 second' WHERE used_at IS NULL") }
        #expect(try f.service.buy(BuyRequest(purchase: f.purchase("ET-5"), elecToken: late), by: f.user)
                == .refused(VendRefusals([.elecToken(.expired)])))
        // Unknown or malformed.
        #expect(try f.service.buy(BuyRequest(purchase: f.purchase("ET-6"), elecToken: "electricity_token_from_verify"), by: f.user)
                == .refused(VendRefusals([.elecToken(.unknown)])))
        #expect(try f.service.buy(BuyRequest(purchase: f.purchase("ET-6"), elecToken: "vet_" + String(repeating: "0", count: 64)), by: f.user)
                == .refused(VendRefusals([.elecToken(.unknown)])))
        #expect(f.simulator.stats.creditVends == 2)
        #expect(try f.transaction("ET-2") == nil && f.transaction("ET-5") == nil)
    }

    @Test func apiTokensExpireAreStoredHashedAndStopWithTheirUser() throws {
        let f = try VendFixture()
        defer { f.tearDown() }
        let token = try f.service.logIn(LoginRequest(email: VendFixture.email, password: VendFixture.password), address: "a").get().apiToken
        #expect(try f.service.authenticate(apiToken: token) != nil)
        let stored = try f.pool.withConnection { try $0.query("SELECT encode(token_hash, 'hex'), expires_at > now() FROM vend_api_tokens").first! }
        #expect(try stored.string(0) != token && stored.bool(1))
        let dump = try f.pool.withConnection { try $0.query("SELECT string_agg(t::text, ' ') FROM vend_api_tokens t").first!.string(0) }
        #expect(!dump.contains(String(token.dropFirst(4))))
        try f.pool.withConnection { try VendUserStore().setDisabled(true, email: VendFixture.email, on: $0) }
        #expect(try f.service.authenticate(apiToken: token) == nil)
        try f.pool.withConnection { try VendUserStore().setDisabled(false, email: VendFixture.email, on: $0) }
        #expect(try f.service.authenticate(apiToken: token) != nil)
        try f.pool.withConnection { _ = try $0.execute("UPDATE vend_api_tokens SET expires_at = now() - interval '1 second', created_at = now() - interval '1 hour'") }
        #expect(try f.service.authenticate(apiToken: token) == nil)
        #expect(try f.service.authenticate(apiToken: "vat_nonsense") == nil)
    }

    @Test func loginsAreThrottledPerAccountAndPerAddress() throws {
        let f = try VendFixture { $0.throttle.accountLimit = 3; $0.throttle.addressLimit = 5; $0.throttle.lockout = .seconds(120) }
        defer { f.tearDown() }
        let wrong = LoginRequest(email: VendFixture.email, password: "wrong password")
        let right = LoginRequest(email: VendFixture.email, password: VendFixture.password)
        // A success forgets earlier failures of the account.
        for _ in 0..<2 { #expect(try f.service.logIn(wrong, address: "10.0.0.1") == .failure(.badCredentials)) }
        #expect(throws: Never.self) { try f.service.logIn(right, address: "10.0.0.2").get() }
        for _ in 0..<3 { #expect(try f.service.logIn(wrong, address: "10.0.0.3") == .failure(.badCredentials)) }
        // Locked now: even the right password is refused, from any address, with the wait.
        guard case .failure(.throttled(let seconds)) = try f.service.logIn(right, address: "10.0.0.4") else {
            Issue.record("not throttled"); return
        }
        #expect((100...120).contains(seconds))
        let verify = VerifyCustomerRequest(purchase: f.purchase("TH-1"), login: right)
        guard case .failure(.throttled) = try f.service.verifyCustomer(verify, address: "10.0.0.4") else { Issue.record("verify not throttled"); return }

        // One address guessing at many accounts is locked after its own limit.
        for index in 0..<5 {
            let guess = LoginRequest(email: "nobody\(index)@example.com", password: "guess guess")
            #expect(try f.service.logIn(guess, address: "198.51.100.7") == .failure(.badCredentials))
        }
        try f.pool.withConnection { _ = try $0.execute("DELETE FROM vend_login_throttle WHERE key LIKE 'account:%'") }
        guard case .failure(.throttled) = try f.service.logIn(right, address: "198.51.100.7") else { Issue.record("address not throttled"); return }
        #expect(throws: Never.self) { try f.service.logIn(right, address: "198.51.100.8").get() }

        // The lock ends with its time.
        try f.pool.withConnection { _ = try $0.execute("UPDATE vend_login_throttle SET locked_until = now() - interval '1 second'") }
        #expect(throws: Never.self) { try f.service.logIn(right, address: "198.51.100.7").get() }
    }

    @Test func tokenCodesPasswordsAndTokensNeverReachALogLine() throws {
        let f = try VendFixture()
        defer { f.tearDown() }
        f.simulator.knobs.keyChangeRate = 1
        let login = try f.service.logIn(LoginRequest(email: VendFixture.email, password: VendFixture.password), address: "a").get()
        _ = try f.service.logIn(LoginRequest(email: VendFixture.email, password: "a wrong one"), address: "a")
        let purchase = f.purchase("LOG-1")
        let elec = try f.verify(purchase)
        let receipt = try #require(try f.service.buy(BuyRequest(purchase: purchase, elecToken: elec), by: f.user).receipt)
        f.simulator.knobs.timeoutAfterSaleRate = 1
        _ = try f.buy(f.purchase("LOG-2"))
        f.simulator.knobs.timeoutAfterSaleRate = 0
        _ = try f.reconciler.reconcileDue()
        let lines = f.logs.lines
        #expect(lines.contains { $0.contains("vend sold") })
        #expect(lines.contains { $0.contains("vend reconciled") })
        var secrets = [VendFixture.password, "a wrong one", login.apiToken, elec] + receipt.stdTokens.map(\.code)
        secrets += receipt.stdTokens.map { $0.code.replacingOccurrences(of: " ", with: "") }
        if let code = try f.transaction("LOG-2")?.receipt?.stdTokens.last?.code { secrets.append(code.replacingOccurrences(of: " ", with: "")) }
        for secret in secrets {
            #expect(!lines.contains { $0.contains(secret) }, "a log line holds a secret")
        }
    }
}
