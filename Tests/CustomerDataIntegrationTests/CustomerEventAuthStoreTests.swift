import CustomerDataStores
import Foundation
import Postgres
import Testing

/// API keys and the auth tokens they are traded for.
@Suite struct CustomerEventAuthStoreTests {
    let fixture: CustomerDataFixture
    let store = CustomerEventAuthStore()

    init() throws { fixture = try CustomerDataFixture(seedExample1: false) }

    @Test func aKeyBuysATokenThatAuthenticatesAndTheKeyItselfDoesNot() throws {
        let key = try store.createKey(organizationID: fixture.organization, label: "POS", on: fixture.connection)
        let token = try #require(try store.issueToken(apiKey: key.key, lifetime: .seconds(3600), on: fixture.connection))
        #expect(abs(token.expiresAt.timeIntervalSinceNow - 3600) < 60)
        #expect(try store.authenticate(token: token.token, on: fixture.connection)
                    == .valid(.init(organizationID: fixture.organization, organizationSlug: "cafes", apiKeyID: key.id)))
        #expect(try store.authenticate(token: key.key, on: fixture.connection) == .unknown)
        #expect(try store.isAPIKey(key.key, on: fixture.connection))
        #expect(try !store.isAPIKey(token.token, on: fixture.connection))
    }

    @Test func onlyHashesAreStored() throws {
        let key = try store.createKey(organizationID: fixture.organization, label: "POS", on: fixture.connection)
        let token = try #require(try store.issueToken(apiKey: key.key, lifetime: .seconds(60), on: fixture.connection))
        let dump = try fixture.connection.query(
            "SELECT (SELECT string_agg(t::text, ' ') FROM customer_event_api_keys t) || (SELECT string_agg(t::text, ' ') FROM customer_event_tokens t)")[0].string(0)
        #expect(!dump.contains(key.key) && !dump.contains(token.token))
        #expect(!dump.contains(String(key.key.dropFirst(4))) && !dump.contains(String(token.token.dropFirst(4))))
    }

    @Test func anUnknownKeyBuysNothing() throws {
        #expect(try store.issueToken(apiKey: "8c54d563-b991-4b76-8a83-557c08166f95", lifetime: .seconds(60), on: fixture.connection) == nil)
    }

    @Test func aKeyAClientAlreadyHoldsCanBeRegistered() throws {
        let seedKey = "8c54d563-b991-4b76-8a83-557c08166f95"
        let key = try store.createKey(organizationID: fixture.organization, label: "seed example", key: seedKey, on: fixture.connection)
        #expect(key.key == seedKey)
        #expect(try store.issueToken(apiKey: seedKey, lifetime: .seconds(60), on: fixture.connection) != nil)
        #expect(throws: CustomerEventAuthStore.Failure.duplicateKey) {
            try store.createKey(organizationID: fixture.otherOrganization, label: "again", key: seedKey, on: fixture.connection)
        }
        #expect(throws: CustomerEventAuthStore.Failure.invalidKey("an API key must be 32-200 printable ASCII characters without spaces")) {
            try store.createKey(organizationID: fixture.organization, label: "short", key: "abc", on: fixture.connection)
        }
    }

    @Test func anExpiredTokenIsRefused() throws {
        let key = try store.createKey(organizationID: fixture.organization, label: "POS", on: fixture.connection)
        let token = try #require(try store.issueToken(apiKey: key.key, lifetime: .seconds(60), on: fixture.connection))
        try fixture.connection.execute("UPDATE customer_event_tokens SET expires_at = now() - interval '1 second'")
        #expect(try store.authenticate(token: token.token, on: fixture.connection) == .expired)
        #expect(try store.deleteExpiredTokens(olderThan: .seconds(0), on: fixture.connection) == 1)
    }

    @Test func revokingAKeyEndsItsTokensAndItsTrade() throws {
        let key = try store.createKey(organizationID: fixture.organization, label: "POS", on: fixture.connection)
        let other = try store.createKey(organizationID: fixture.organization, label: "Web", on: fixture.connection)
        let token = try #require(try store.issueToken(apiKey: key.key, lifetime: .seconds(60), on: fixture.connection))
        let otherToken = try #require(try store.issueToken(apiKey: other.key, lifetime: .seconds(60), on: fixture.connection))
        try store.revokeKey(id: key.id, on: fixture.connection)
        try store.revokeKey(id: key.id, on: fixture.connection)  // idempotent
        #expect(try store.authenticate(token: token.token, on: fixture.connection) == .revoked)
        #expect(try store.issueToken(apiKey: key.key, lifetime: .seconds(60), on: fixture.connection) == nil)
        guard case .valid = try store.authenticate(token: otherToken.token, on: fixture.connection) else {
            Issue.record("the other key's token stopped working")
            return
        }
        let listed = try store.listKeys(organizationID: fixture.organization, on: fixture.connection)
        #expect(listed.map(\.label) == ["POS", "Web"])
        #expect(listed[0].revokedAt != nil && listed[1].revokedAt == nil)
        #expect(throws: CustomerEventAuthStore.Failure.unknownKey(fixture.organization)) {
            try store.revokeKey(id: fixture.organization, on: fixture.connection)
        }
    }
}
