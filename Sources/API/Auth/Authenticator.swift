import Accounts
import Crypto
import Foundation
import Postgres
import Synchronization

/// Resolves tokens to principals through the database, remembering answers for a few seconds so
/// that a busy client does not cost a query per request. One per daemon, shared by every
/// family's `BearerAuthentication`.
///
/// A token revoked, changed or deleted is forgotten as soon as the database says so
/// (`TokenRevocationListener`, LISTEN/NOTIFY); without a listener, or while its connection is
/// down, a revoked token stops working within `cacheLifetime`.
public final class Authenticator: Sendable {
    private struct Entry {
        let principal: Principal?
        let expires: ContinuousClock.Instant
    }

    private struct Cache {
        /// Keyed by the token's SHA-256, never by the token itself.
        var entries: [[UInt8]: Entry] = [:]
        /// Moved by every invalidation, so that a lookup that started before one does not store
        /// what it read (it may predate the revocation).
        var generation: UInt64 = 0
    }

    private let pool: PostgresPool
    private let store = TokenStore()
    private let cacheLifetime: Duration
    private let cache = Mutex(Cache())
    private static let maximumCacheEntries = 10_000

    public init(pool: PostgresPool, cacheLifetime: Duration = .seconds(5)) {
        self.pool = pool
        self.cacheLifetime = cacheLifetime
    }

    /// What the cache remembers about a token.
    public enum CachedAnswer: Sendable {
        /// Looked up less than `cacheLifetime` ago: the principal, or nil for a refused token.
        case cached(Principal?)
        /// Not remembered (or no longer): only `principal(for:)` can tell.
        case notCached
    }

    /// The cache's answer for `token`, without ever querying (for the event loop).
    public func cachedPrincipal(for token: String) -> CachedAnswer {
        let key = SHA256.hash(token)
        return cache.withLock { Self.answer($0, key: key, now: .now) }
    }

    public func principal(for token: String) throws -> Principal? {
        let key = SHA256.hash(token)
        let now = ContinuousClock.now
        let (answer, generation) = cache.withLock { (Self.answer($0, key: key, now: now), $0.generation) }
        if case .cached(let principal) = answer { return principal }
        let principal = try pool.withConnection { try store.authenticate(token: token, on: $0) }
        cache.withLock { cache in
            guard cache.generation == generation else { return }
            if cache.entries.count >= Self.maximumCacheEntries { cache.entries.removeAll(keepingCapacity: true) }
            cache.entries[key] = Entry(principal: principal, expires: now + cacheLifetime)
        }
        return principal
    }

    /// Forgets the token whose SHA-256 is `tokenHash` (it was revoked, changed or deleted).
    public func forget(tokenHash: [UInt8]) {
        cache.withLock { cache in
            cache.generation &+= 1
            cache.entries[tokenHash] = nil
        }
    }

    /// Forgets every token (an organisation changed, or notifications may have been missed).
    public func forgetAll() {
        cache.withLock { cache in
            cache.generation &+= 1
            cache.entries.removeAll()
        }
    }

    private static func answer(_ cache: Cache, key: [UInt8], now: ContinuousClock.Instant) -> CachedAnswer {
        guard let entry = cache.entries[key], entry.expires > now else { return .notCached }
        return .cached(entry.principal)
    }
}
