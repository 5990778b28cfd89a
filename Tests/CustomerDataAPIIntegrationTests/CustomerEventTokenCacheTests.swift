import API
import CustomerDataAPI
import CustomerDataStores
import Foundation
import Postgres
import Synchronization
import Testing
import TestSupport

/// Seed 003's auth tokens answered from memory while the revocation listener listens, and never
/// once they stop being valid.
@Suite struct CustomerEventTokenCacheTests {
    /// A cache that would keep a token for an hour.
    let tokens = CustomerEventTokenCache(lifetime: .seconds(3600))
    let fixture: CustomerDataAPIFixture

    init() throws { fixture = try CustomerDataAPIFixture(eventTokens: tokens) }

    func listening() throws -> TokenRevocationListener {
        let listener = TokenRevocationListener(caches: [tokens], pool: fixture.pool, retryDelay: .milliseconds(100))
        try listener.start()
        try waitUntil(timeout: .seconds(10), "the listener listens") { listener.isListening }
        return listener
    }

    /// How many times the cache asks for `token` over `count` answers.
    func lookUps(_ token: String, count: Int = 3, expiresAt: Date = .now + 3600) -> Int {
        let asked = Mutex(0)
        let client = CustomerEventAuthStore.Client(organizationID: fixture.organization, organizationSlug: "tiendas", apiKeyID: fixture.apiKeyID)
        for _ in 0..<count {
            #expect(tokens.validClient(for: token) { asked.withLock { $0 += 1 }; return (client, expiresAt) } == client)
        }
        return asked.withLock { $0 }
    }

    @Test func aValidTokenIsRememberedOnlyWhileTheListenerListens() throws {
        #expect(lookUps("cet_a") == 3, "no listener: every answer looked up")
        let listener = try listening()
        #expect(lookUps("cet_b") == 1)
        #expect(listener.stop(by: .now + .seconds(5)))
        #expect(lookUps("cet_b") == 3, "the listener stopped: notifications would be missed")
    }

    @Test func aTokenIsNotAnsweredFromMemoryPastItsExpiry() throws {
        let listener = try listening()
        defer { _ = listener.stop(by: .now + .seconds(5)) }
        #expect(lookUps("cet_c", count: 2, expiresAt: .now + 0.3) == 1)
        Thread.sleep(forTimeInterval: 0.4)
        #expect(lookUps("cet_c", count: 1, expiresAt: .now + 0.3) == 1, "expired in memory: looked up again")
        #expect(lookUps("cet_d", count: 2, expiresAt: .now - 1) == 2, "an expiry already past is not remembered")
    }

    @Test func aRevokedKeysTokenIsRefusedAsSoonAsTheRevocationCommits() throws {
        let listener = try listening()
        defer { _ = listener.stop(by: .now + .seconds(5)) }
        let token = try fixture.eventToken()
        let other = try fixture.eventToken()
        #expect(fixture.call("GET", "/customer_events/purchases?cim=4A30966F684B0269AD91", headers: fixture.bearer(token)).status == 200)
        // Answered from memory: expired without a notification (its trigger off), it still passes.
        let sql = { (statement: String) in try fixture.pool.withConnection { _ = try $0.execute(statement) } }
        try sql("ALTER TABLE customer_event_tokens DISABLE TRIGGER customer_event_tokens_notify_change")
        try sql("UPDATE customer_event_tokens SET expires_at = now() - interval '1 second'")
        #expect(fixture.call("GET", "/customer_events/purchases?cim=4A30966F684B0269AD91", headers: fixture.bearer(token)).status == 200)
        try sql("UPDATE customer_event_tokens SET expires_at = now() + interval '1 hour'")
        try sql("ALTER TABLE customer_event_tokens ENABLE TRIGGER customer_event_tokens_notify_change")

        try fixture.pool.withConnection { try CustomerEventAuthStore().revokeKey(id: fixture.apiKeyID, on: $0) }
        try waitUntil(timeout: .seconds(10), "the revoked key's tokens are refused") {
            fixture.call("GET", "/customer_events/purchases?cim=4A30966F684B0269AD91", headers: fixture.bearer(token)).status == 401
        }
        let revoked = fixture.call("GET", "/customer_events/purchases?cim=4A30966F684B0269AD91", headers: fixture.bearer(other))
        #expect(revoked.status == 401 && revoked.error == "The auth token's api_key has been revoked.")
    }

    @Test func aTokenMadeToExpireIsRefusedAsSoonAsTheChangeCommits() throws {
        let listener = try listening()
        defer { _ = listener.stop(by: .now + .seconds(5)) }
        let token = try fixture.eventToken()
        #expect(fixture.call("GET", "/customer_events/purchases?cim=4A30966F684B0269AD91", headers: fixture.bearer(token)).status == 200)
        try fixture.pool.withConnection { _ = try $0.execute("UPDATE customer_event_tokens SET expires_at = now() - interval '1 second'") }
        try waitUntil(timeout: .seconds(10), "the token is refused") {
            fixture.call("GET", "/customer_events/purchases?cim=4A30966F684B0269AD91", headers: fixture.bearer(token)).status == 401
        }
        #expect(fixture.call("GET", "/customer_events/purchases?cim=4A30966F684B0269AD91", headers: fixture.bearer(token)).error
                    == "The auth token has expired: request a new one with POST /customer_events/token.")
    }
}
