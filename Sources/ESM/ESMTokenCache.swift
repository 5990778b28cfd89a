import Foundation
import Timekeeping

/// The ESM access token, shared by every thread of one `ESMClient`.
///
/// - A token is used until `refreshFraction` of its lifetime has passed; then ONE caller fetches a
///   new one while the others keep using the old, still valid token.
/// - With no valid token, one caller fetches and every other caller waits for that fetch (single
///   flight); if it fails, the waiters get the same error instead of each trying again.
final class ESMTokenCache: @unchecked Sendable {
    // Invariant for @unchecked Sendable: every stored var is read and written only while holding
    // `condition`.
    private struct Token {
        let value: String
        let refreshAt: UInt64
        let expiresAt: UInt64
    }

    private let condition = NSCondition()
    private let refreshFraction: Double
    private var token: Token?
    private var refreshing = false
    private var generation = 0
    private var lastError: ESMError?

    init(refreshFraction: Double) {
        self.refreshFraction = min(max(refreshFraction, 0.1), 1.0)
    }

    /// A valid access token, fetched with `fetch` (value and lifetime) when needed.
    func token(fetch: () throws(ESMError) -> (value: String, lifetime: Duration)) throws(ESMError) -> String {
        condition.lock()
        while true {
            let now = DispatchTime.now().uptimeNanoseconds
            if let current = token, now < current.expiresAt {
                if now < current.refreshAt || refreshing {
                    condition.unlock()
                    return current.value
                }
                break   // due for refresh and nobody is refreshing: this caller does it
            }
            if !refreshing { break }
            let seen = generation
            while generation == seen { condition.wait() }
            if let lastError, token.map({ DispatchTime.now().uptimeNanoseconds >= $0.expiresAt }) ?? true {
                condition.unlock()
                throw lastError
            }
        }
        refreshing = true
        condition.unlock()

        let outcome: Result<(value: String, lifetime: Duration), ESMError>
        do { outcome = .success(try fetch()) } catch { outcome = .failure(error) }

        condition.lock()
        defer {
            refreshing = false
            generation += 1
            condition.broadcast()
            condition.unlock()
        }
        switch outcome {
        case .success(let fresh):
            let now = DispatchTime.now().uptimeNanoseconds
            let lifetime = fresh.lifetime.inSeconds * 1e9
            token = Token(value: fresh.value, refreshAt: now + UInt64(lifetime * refreshFraction),
                          expiresAt: now + UInt64(lifetime))
            lastError = nil
            return fresh.value
        case .failure(let error):
            lastError = error
            // A failed early refresh is not fatal while the old token lasts.
            if let current = token, DispatchTime.now().uptimeNanoseconds < current.expiresAt { return current.value }
            throw error
        }
    }

    /// Forgets `value` if it is still the cached token (the ESM answered 401 to it), so that the
    /// next call fetches a new one; a token another thread already replaced stays.
    func invalidate(_ value: String) {
        condition.lock()
        if token?.value == value { token = nil }
        condition.unlock()
    }
}
