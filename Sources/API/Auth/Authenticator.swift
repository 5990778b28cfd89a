import Accounts
import Crypto
import Foundation
import Postgres
import Synchronization

/// Resolves tokens to principals through the database, remembering answers for a few seconds so
/// that a busy client does not cost a query per request. A revoked token therefore stops working
/// within `cacheLifetime`. One per daemon, shared by every family's `BearerAuthentication`.
public final class Authenticator: Sendable {
    private struct Entry {
        let principal: Principal?
        let expires: ContinuousClock.Instant
    }

    private let pool: PostgresPool
    private let store = TokenStore()
    private let cacheLifetime: Duration
    /// Keyed by the token's SHA-256, never by the token itself.
    private let cache = Mutex<[[UInt8]: Entry]>([:])
    private static let maximumCacheEntries = 10_000

    public init(pool: PostgresPool, cacheLifetime: Duration = .seconds(5)) {
        self.pool = pool
        self.cacheLifetime = cacheLifetime
    }

    public func principal(for token: String) throws -> Principal? {
        let key = SHA256.hash(token)
        let now = ContinuousClock.now
        if let entry = cache.withLock({ $0[key] }), entry.expires > now {
            return entry.principal
        }
        let principal = try pool.withConnection { try store.authenticate(token: token, on: $0) }
        cache.withLock { entries in
            if entries.count >= Self.maximumCacheEntries { entries.removeAll(keepingCapacity: true) }
            entries[key] = Entry(principal: principal, expires: now + cacheLifetime)
        }
        return principal
    }
}
