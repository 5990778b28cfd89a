import Accounts
import API
import Foundation
import Postgres
import Testing
import TestSupport

/// The token cache forgets a token the moment the database says it changed (LISTEN/NOTIFY,
/// migration 0040), long before its cache lifetime; without the listener it would not.
@Suite struct TokenRevocationTests {
    let url: String
    let database: PostgresConnection
    let pool: PostgresPool
    let organizationID: UUID
    let token: TokenStore.IssuedToken
    let otherToken: TokenStore.IssuedToken

    init() throws {
        url = try TestDatabase.fresh()
        database = try PostgresConnection(url: url)
        pool = PostgresPool(url: url, size: 2)
        let store = TokenStore()
        organizationID = try store.createOrganization(slug: "revocations", name: "R", on: database)
        token = try store.createToken(organizationSlug: "revocations", role: .operator, scopes: [.trading], expiresInDays: nil, on: database)
        otherToken = try store.createToken(organizationSlug: "revocations", role: .viewer, scopes: [.trading], expiresInDays: nil,
                                           on: database)
    }

    /// An authenticator whose cache would hold every answer for an hour, and its listener (started).
    private func listening() throws -> (Authenticator, TokenRevocationListener) {
        let authenticator = Authenticator(pool: pool, cacheLifetime: .seconds(3600))
        let listener = TokenRevocationListener(authenticator: authenticator, pool: pool, retryDelay: .milliseconds(100))
        try listener.start()
        try waitUntil(timeout: .seconds(10), "the listener listens") { try listenerPIDs().count == 1 && listener.isListening }
        return (authenticator, listener)
    }

    /// The backends of this database idle after a LISTEN.
    private func listenerPIDs() throws -> [Int] {
        try database.query("SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                           + "AND query LIKE 'LISTEN%' AND state = 'idle'")
            .map { try $0.int(0) }
    }

    private func isCached(_ authenticator: Authenticator, _ token: String) -> Bool {
        if case .cached = authenticator.cachedPrincipal(for: token) { return true }
        return false
    }

    @Test func aRevokedTokenIsRefusedAtOnceWhileAnUnlistenedCacheStillAdmitsIt() throws {
        let (authenticator, listener) = try listening()
        defer { _ = listener.stop(by: .now + .seconds(5)) }
        let unlistened = Authenticator(pool: pool, cacheLifetime: .seconds(3600))
        let principal = try #require(try authenticator.principal(for: token.token))
        #expect(principal.tokenID == token.id)
        #expect(principal.organizationID == organizationID)
        #expect(principal.role == .operator)
        #expect(try unlistened.principal(for: token.token) == principal)
        #expect(try authenticator.principal(for: otherToken.token) != nil)

        try TokenStore().revoke(tokenID: token.id, on: database)

        try waitUntil(timeout: .seconds(10), "the revoked token is forgotten") { !isCached(authenticator, token.token) }
        #expect(try authenticator.principal(for: token.token) == nil, "the database refuses it now")
        #expect(isCached(authenticator, otherToken.token), "only the revoked token was forgotten")
        guard case .cached(let stale) = unlistened.cachedPrincipal(for: token.token) else {
            Issue.record("the cache without a listener should still remember the token")
            return
        }
        #expect(stale == principal, "without the listener the revoked token would still pass for an hour")
    }

    @Test func renamingTheOrganizationForgetsEveryToken() throws {
        let (authenticator, listener) = try listening()
        defer { _ = listener.stop(by: .now + .seconds(5)) }
        #expect(try authenticator.principal(for: token.token)?.organizationSlug == "revocations")
        #expect(try authenticator.principal(for: otherToken.token) != nil)
        try database.execute("UPDATE organizations SET slug = 'renamed' WHERE id = $1", [.uuid(organizationID)])
        try waitUntil(timeout: .seconds(10), "every token is forgotten") {
            !isCached(authenticator, token.token) && !isCached(authenticator, otherToken.token)
        }
        #expect(try authenticator.principal(for: token.token)?.organizationSlug == "renamed")
    }

    @Test func afterALostConnectionTheListenerForgetsEverythingAndListensAgain() throws {
        let (authenticator, listener) = try listening()
        defer { _ = listener.stop(by: .now + .seconds(5)) }
        #expect(try authenticator.principal(for: token.token) != nil)
        let first = try listenerPIDs()
        try database.execute("SELECT pg_terminate_backend($1::int)", [.int(Int64(first[0]))])
        try waitUntil(timeout: .seconds(10), "a new listening connection") {
            let now = try listenerPIDs()
            // Read after the new connection showed up, so `isListening` is that connection's.
            return now.count == 1 && now != first && listener.isListening
        }
        #expect(!isCached(authenticator, token.token), "notifications may have been missed meanwhile: all is forgotten")
        #expect(try authenticator.principal(for: token.token) != nil)
        try TokenStore().revoke(tokenID: token.id, on: database)
        try waitUntil(timeout: .seconds(10), "the revoked token is forgotten") { !isCached(authenticator, token.token) }
        #expect(try authenticator.principal(for: token.token) == nil)
    }

    @Test func theListenerStopsWithinItsDeadline() throws {
        let (_, listener) = try listening()
        #expect(listener.stop(by: .now + .seconds(5)))
        try waitUntil(timeout: .seconds(10), "its connection is closed") { try listenerPIDs().isEmpty }
    }
}
