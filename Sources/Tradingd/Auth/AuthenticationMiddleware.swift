import Crypto
import Foundation
import HTTPServer
import Postgres
import Synchronization

/// Checks `Authorization: Bearer <token>` and puts the caller's `Principal` on the request.
/// 401 when the token is missing, unknown, expired or revoked; 403 when it lacks the scope of the
/// API family the route belongs to.
public struct AuthenticationMiddleware: Middleware {
    private let scope: Principal.Scope
    private let authenticator: Authenticator

    public init(scope: Principal.Scope, authenticator: Authenticator) {
        self.scope = scope
        self.authenticator = authenticator
    }

    public func handle(_ request: Request, next: Handler) throws -> Response {
        guard let token = Self.bearerToken(request.headers["Authorization"]),
              let principal = try authenticator.principal(for: token) else {
            throw HTTPError.unauthorized
        }
        guard principal.scopes.contains(scope) else { throw HTTPError.forbidden }
        var request = request
        request.attributes[PrincipalKey.self] = principal
        return try next(request)
    }

    static func bearerToken(_ header: String?) -> String? {
        guard let header, header.count > 7, header.prefix(7).lowercased() == "bearer " else { return nil }
        let token = header.dropFirst(7).trimmingCharacters(in: .whitespaces)
        return token.isEmpty ? nil : token
    }
}

/// Resolves tokens to principals through the database, remembering answers for a few seconds so
/// that a busy client does not cost a query per request. A revoked token therefore stops working
/// within `cacheLifetime`.
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
