import Accounts
import API
import Foundation
import Postgres
import Testing
import TestSupport

/// Bogus tokens cannot flush the authentication cache (docs/RELIABILITY.md, item 14).
struct AuthenticatorCacheTests {
    @Test func bogusTokensNeverEvictAKnownOne() throws {
        let url = try TestDatabase.fresh()
        let connection = try PostgresConnection(url: url)
        let store = TokenStore()
        _ = try store.createOrganization(slug: "cache-org", name: "Cache", on: connection)
        let issued = try store.createToken(organizationSlug: "cache-org", role: .viewer, scopes: [.trading], expiresInDays: nil,
                                           on: connection)
        let pool = PostgresPool(url: url, size: 2)
        defer { pool.close() }
        let authenticator = Authenticator(pool: pool, cacheLifetime: .seconds(60), maximumKnown: 100, maximumRefused: 10)
        #expect(try authenticator.principal(for: issued.token)?.organizationSlug == "cache-org")
        // Revoked in the database: while its entry is cached, the token still passes, which shows
        // whether the entry survived.
        try store.revoke(tokenID: issued.id, on: connection)
        for _ in 0..<200 {   // twenty times the refused table, twice the known one
            #expect(try authenticator.principal(for: "tdt_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
                                                    + String(repeating: "0", count: 32)) == nil)
        }
        #expect(try authenticator.principal(for: issued.token) != nil, "the bogus tokens flushed the known token's entry")
        // Not a token at all: refused without a query (the pool is not even asked).
        pool.close()
        #expect(try authenticator.principal(for: "Bearer nonsense") == nil)
    }
}
