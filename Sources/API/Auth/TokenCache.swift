import Synchronization

/// What a token cache is told when tokens change in the database (`TokenRevocationListener`).
public protocol TokenCacheInvalidation: Sendable {
    /// Forgets the token whose SHA-256 is `tokenHash` (it was revoked, changed or deleted).
    func forget(tokenHash: [UInt8])
    /// Forgets every token (an organisation or an API key changed, or notifications may have been missed).
    func forgetAll()
    /// The listener listens now (after forgetting everything), or no longer does (notifications
    /// may be missed until it listens again).
    func listenerChanged(listening: Bool)
}

extension TokenCacheInvalidation {
    /// A cache whose entries expire soon enough on their own ignores it.
    public func listenerChanged(listening: Bool) {}
}

/// Answers about bearer tokens, remembered for a few seconds, keyed by the token's SHA-256 (never
/// by the token itself): the one cache behind every family's token check (`Authenticator` for
/// the API tokens, `CustomerEventTokenCache` for seed 003's auth tokens).
///
/// Known tokens and refused ones are remembered apart, each bounded: anyone can present any
/// number of bogus tokens, and were they kept with the good ones, 10,000 of them would flush every
/// real client's entry and send each of its requests to the database. Bogus tokens only ever
/// evict bogus tokens.
public final class TokenCache<Value: Sendable>: TokenCacheInvalidation {
    private struct Entry {
        let value: Value?
        let expires: ContinuousClock.Instant
    }

    private struct Tables {
        var known: [[UInt8]: Entry] = [:]
        var refused: [[UInt8]: Entry] = [:]
        /// Moved by every invalidation, so that a lookup that started before one does not store
        /// what it read (it may predate the revocation).
        var generation: UInt64 = 0
    }

    /// What the cache remembers about a token.
    public enum Answer: Sendable {
        /// Looked up less than `lifetime` ago: the value, or nil for a refused token.
        case cached(Value?)
        /// Not remembered (or no longer).
        case notCached
    }

    public let lifetime: Duration
    private let maximumKnown: Int
    private let maximumRefused: Int
    private let tables = Mutex(Tables())

    /// - Parameters:
    ///   - maximumKnown: valid tokens remembered (every real client's token fits).
    ///   - maximumRefused: unknown, revoked or expired tokens remembered.
    public init(lifetime: Duration, maximumKnown: Int = 10_000, maximumRefused: Int = 1_000) {
        self.lifetime = lifetime
        self.maximumKnown = max(1, maximumKnown)
        self.maximumRefused = max(1, maximumRefused)
    }

    /// The cache's answer for the token whose SHA-256 is `tokenHash`, without looking it up.
    public func cached(_ tokenHash: [UInt8]) -> Answer {
        tables.withLock { Self.answer($0, key: tokenHash, now: .now) }
    }

    /// The cached answer, else `lookUp`'s, remembered for `lifetime` or for the shorter time
    /// `lookUp` gives (nil: not remembered), unless the cache was invalidated meanwhile.
    public func value(for tokenHash: [UInt8], lookUp: () throws -> (value: Value?, rememberFor: Duration?)) rethrows -> Value? {
        let now = ContinuousClock.now
        let (answer, generation) = tables.withLock { (Self.answer($0, key: tokenHash, now: now), $0.generation) }
        if case .cached(let value) = answer { return value }
        let (value, rememberFor) = try lookUp()
        guard let rememberFor else { return value }
        let entry = Entry(value: value, expires: now + min(lifetime, rememberFor))
        tables.withLock { tables in
            guard tables.generation == generation else { return }
            if value != nil {
                tables.refused[tokenHash] = nil
                Self.insert(entry, tokenHash, into: &tables.known, maximum: maximumKnown, now: now)
            } else {
                tables.known[tokenHash] = nil
                Self.insert(entry, tokenHash, into: &tables.refused, maximum: maximumRefused, now: now)
            }
        }
        return value
    }

    public func forget(tokenHash: [UInt8]) {
        tables.withLock { tables in
            tables.generation &+= 1
            tables.known[tokenHash] = nil
            tables.refused[tokenHash] = nil
        }
    }

    public func forgetAll() {
        tables.withLock { tables in
            tables.generation &+= 1
            tables.known.removeAll()
            tables.refused.removeAll()
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

    private static func answer(_ tables: Tables, key: [UInt8], now: ContinuousClock.Instant) -> Answer {
        guard let entry = tables.known[key] ?? tables.refused[key], entry.expires > now else { return .notCached }
        return .cached(entry.value)
    }
}
