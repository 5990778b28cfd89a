import API
import CustomerDataStores
import Crypto
import Foundation
import Synchronization

/// Seed 003's valid auth tokens, remembered for a few seconds (`TokenCache`) so that a post
/// costs no look-up, and answered from memory only while the daemon's `TokenRevocationListener`
/// listens: a token changed or deleted, or one whose API key is revoked, is then forgotten as
/// soon as the change commits (migration 0042), and while the listener is not listening
/// (not started yet, its connection lost) every token is looked up, so a revocation is never
/// missed. A token is never answered from memory past its expiry. Unknown, expired and revoked
/// tokens are looked up each time (nothing refused is remembered: an API key registered later
/// must be recognised as one at once).
public final class CustomerEventTokenCache: TokenCacheInvalidation {
    private let cache: TokenCache<CustomerEventAuthStore.Client>
    private let listening = Atomic<Bool>(false)

    public init(lifetime: Duration = .seconds(5), maximumKnown: Int = 10_000) {
        cache = TokenCache(lifetime: lifetime, maximumKnown: maximumKnown, maximumRefused: 1)
    }

    /// The client of a valid `token`: from memory, else `lookUp`'s (with the token's expiry),
    /// remembered while a listener listens.
    public func validClient(for token: String, lookUp: () throws -> (client: CustomerEventAuthStore.Client?, expiresAt: Date?))
        rethrows -> CustomerEventAuthStore.Client? {
        guard listening.load(ordering: .acquiring) else { return try lookUp().client }
        return try cache.value(for: SHA256.hash(token)) {
            let (client, expiresAt) = try lookUp()
            guard let client, let expiresAt, expiresAt.timeIntervalSinceNow > 0 else { return (client, nil) }
            return (client, .milliseconds(Int64(expiresAt.timeIntervalSinceNow * 1000)))
        }
    }

    public func forget(tokenHash: [UInt8]) { cache.forget(tokenHash: tokenHash) }

    public func forgetAll() { cache.forgetAll() }

    /// Answers from memory from now on, or no longer (first, so that nothing remembered before
    /// is answered while notifications may be missed).
    public func listenerChanged(listening: Bool) {
        if listening {
            cache.forgetAll()
            self.listening.store(true, ordering: .releasing)
        } else {
            self.listening.store(false, ordering: .releasing)
            cache.forgetAll()
        }
    }
}
