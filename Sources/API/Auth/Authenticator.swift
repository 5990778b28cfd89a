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
///
/// Known tokens and refused ones are remembered apart, each bounded: anyone can present any
/// number of bogus tokens, and were they kept with the good ones, 10,000 of them would flush every
/// real client's entry and send each of its requests to the database. Bogus tokens only ever
/// evict bogus tokens; a string that is not a token at all (`tdt_` + 64 hex digits) is refused
/// without a query and is not remembered.
public final class Authenticator: Sendable {
    private struct Entry {
        let principal: Principal?
        let expires: ContinuousClock.Instant
    }

    private struct Cache {
        /// Keyed by the token's SHA-256, never by the token itself.
        var known: [[UInt8]: Entry] = [:]
        var refused: [[UInt8]: Entry] = [:]
        /// Moved by every invalidation, so that a lookup that started before one does not store
        /// what it read (it may predate the revocation).
        var generation: UInt64 = 0
    }

    private let pool: PostgresPool
    private let store = TokenStore()
    private let cacheLifetime: Duration
    private let maximumKnown: Int
    private let maximumRefused: Int
    private let cache = Mutex(Cache())

    /// - Parameters:
    ///   - maximumKnown: valid tokens remembered (every real client's token fits).
    ///   - maximumRefused: unknown, revoked or expired tokens remembered.
    public init(pool: PostgresPool, cacheLifetime: Duration = .seconds(5), maximumKnown: Int = 10_000, maximumRefused: Int = 1_000) {
        self.pool = pool
        self.cacheLifetime = cacheLifetime
        self.maximumKnown = max(1, maximumKnown)
        self.maximumRefused = max(1, maximumRefused)
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
        let key = SHA256.hash(token)
        return cache.withLock { Self.answer($0, key: key, now: .now) }
    }

    public func principal(for token: String) throws -> Principal? {
        guard TokenStore.isWellFormed(token) else { return nil }
        let key = SHA256.hash(token)
        let now = ContinuousClock.now
        let (answer, generation) = cache.withLock { (Self.answer($0, key: key, now: now), $0.generation) }
        if case .cached(let principal) = answer { return principal }
        let principal = try pool.withConnection { try store.authenticate(token: token, on: $0) }
        let entry = Entry(principal: principal, expires: now + cacheLifetime)
        cache.withLock { cache in
            guard cache.generation == generation else { return }
            if principal != nil {
                cache.refused[key] = nil
                Self.insert(entry, key, into: &cache.known, maximum: maximumKnown, now: now)
            } else {
                cache.known[key] = nil
                Self.insert(entry, key, into: &cache.refused, maximum: maximumRefused, now: now)
            }
        }
        return principal
    }

    /// Forgets the token whose SHA-256 is `tokenHash` (it was revoked, changed or deleted).
    public func forget(tokenHash: [UInt8]) {
        cache.withLock { cache in
            cache.generation &+= 1
            cache.known[tokenHash] = nil
            cache.refused[tokenHash] = nil
        }
    }

    /// Forgets every token (an organisation changed, or notifications may have been missed).
    public func forgetAll() {
        cache.withLock { cache in
            cache.generation &+= 1
            cache.known.removeAll()
            cache.refused.removeAll()
        }
    }

    /// Adds an entry; a full table first loses its expired entries, and is emptied only if that
    /// freed nothing.
    private static func insert(_ entry: Entry, _ key: [UInt8], into table: inout [[UInt8]: Entry], maximum: Int,
                               now: ContinuousClock.Instant) {
        if table.count >= maximum {
            table = table.filter { $0.value.expires > now }
            if table.count >= maximum { table.removeAll(keepingCapacity: true) }
        }
        table[key] = entry
    }

    private static func answer(_ cache: Cache, key: [UInt8], now: ContinuousClock.Instant) -> CachedAnswer {
        guard let entry = cache.known[key] ?? cache.refused[key], entry.expires > now else { return .notCached }
        return .cached(entry.principal)
    }
}
