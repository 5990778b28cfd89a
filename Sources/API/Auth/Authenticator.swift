import Accounts
import Crypto
import Foundation
import Postgres

/// Resolves tokens to principals through the database, remembering answers for a few seconds
/// (`TokenCache`) so that a busy client does not cost a query per request. One per daemon,
/// shared by every family's `BearerAuthentication`.
///
/// A token revoked, changed or deleted is forgotten as soon as the database says so
/// (`TokenRevocationListener`, LISTEN/NOTIFY); without a listener, or while its connection is
/// down, a revoked token stops working within `cacheLifetime`. A string that is not a token at
/// all (`tdt_` + 64 hex digits) is refused without a query and is not remembered.
public final class Authenticator: TokenCacheInvalidation {
    private let pool: PostgresPool
    private let store = TokenStore()
    private let cache: TokenCache<Principal>

    /// - Parameters:
    ///   - maximumKnown: valid tokens remembered (every real client's token fits).
    ///   - maximumRefused: unknown, revoked or expired tokens remembered.
    public init(pool: PostgresPool, cacheLifetime: Duration = .seconds(5), maximumKnown: Int = 10_000, maximumRefused: Int = 1_000) {
        self.pool = pool
        cache = TokenCache(lifetime: cacheLifetime, maximumKnown: maximumKnown, maximumRefused: maximumRefused)
    }

    /// What the cache remembers about a token.
    public enum CachedAnswer: Sendable {
        /// Looked up less than `cacheLifetime` ago: the principal, or nil for a refused token.
        case cached(Principal?)
        /// Not remembered (or no longer): only `principal(for:)` can tell.
        case notCached
    }

    /// The cache's answer for `token`, without ever querying (for the event loop). A string that
    /// is not a token is refused here too.
    public func cachedPrincipal(for token: String) -> CachedAnswer {
        guard TokenStore.isWellFormed(token) else { return .cached(nil) }
        switch cache.cached(SHA256.hash(token)) {
        case .cached(let principal): return .cached(principal)
        case .notCached: return .notCached
        }
    }

    public func principal(for token: String) throws -> Principal? {
        guard TokenStore.isWellFormed(token) else { return nil }
        return try cache.value(for: SHA256.hash(token)) {
            (try pool.withConnection { try store.authenticate(token: token, on: $0) }, cache.lifetime)
        }
    }

    /// Forgets the token whose SHA-256 is `tokenHash` (it was revoked, changed or deleted).
    public func forget(tokenHash: [UInt8]) { cache.forget(tokenHash: tokenHash) }

    /// Forgets every token (an organisation changed, or notifications may have been missed).
    public func forgetAll() { cache.forgetAll() }
}
