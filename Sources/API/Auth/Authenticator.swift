import Accounts
import Crypto
import Foundation
import Postgres
import Synchronization

/// Resolves tokens to principals through the database, remembering answers for a few seconds so
/// that a busy client does not cost a query per request. A revoked token therefore stops working
/// within `cacheLifetime`. One per daemon, shared by every family's `BearerAuthentication`.
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

    public func principal(for token: String) throws -> Principal? {
        guard TokenStore.isWellFormed(token) else { return nil }
        let key = SHA256.hash(token)
        let now = ContinuousClock.now
        let cached = cache.withLock { cache in cache.known[key] ?? cache.refused[key] }
        if let cached, cached.expires > now { return cached.principal }
        let principal = try pool.withConnection { try store.authenticate(token: token, on: $0) }
        let entry = Entry(principal: principal, expires: now + cacheLifetime)
        cache.withLock { cache in
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
}
