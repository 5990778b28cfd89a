import Accounts
import Domain
import HTTPServer

/// Checks `Authorization: Bearer <token>` and puts the caller's `Principal` on the request, for
/// the routes of one API family: a family passes its scope and, when its wire wording differs
/// from the trading family's, the errors to throw (its envelope renders them).
public struct BearerAuthentication: Middleware {
    /// What the middleware throws for each way a request can fail to be authorised.
    public struct Failures: Sendable {
        /// No `Authorization: Bearer` header (or an empty token).
        public var missingCredentials: any Error & Sendable
        /// A token that is unknown, expired or revoked.
        public var invalidCredentials: any Error & Sendable
        /// A valid token without the family's scope.
        public var missingScope: any Error & Sendable

        public init(missingCredentials: any Error & Sendable, invalidCredentials: any Error & Sendable,
                    missingScope: any Error & Sendable) {
            self.missingCredentials = missingCredentials
            self.invalidCredentials = invalidCredentials
            self.missingScope = missingScope
        }

        /// 401 `UNAUTHORIZED` and 403 `FORBIDDEN` (`DomainError.unauthenticated`, `.forbidden`).
        public static let standard = Failures(missingCredentials: DomainError.unauthenticated,
                                              invalidCredentials: DomainError.unauthenticated,
                                              missingScope: DomainError.forbidden)
    }

    private let scope: Principal.Scope
    private let authenticator: Authenticator
    private let failures: Failures

    public init(scope: Principal.Scope, authenticator: Authenticator, failures: Failures = .standard) {
        self.scope = scope
        self.authenticator = authenticator
        self.failures = failures
    }

    public func handle(_ request: Request, next: Handler) throws -> Response {
        guard let token = Self.bearerToken(request.headers["Authorization"]) else { throw failures.missingCredentials }
        return try next(admit(request, as: try authenticator.principal(for: token)))
    }

    /// On the event loop only the cache is asked; a token it does not remember goes to the
    /// worker pool, where `handle` looks it up.
    public func admitOnLoop(_ request: Request) throws -> Request? {
        guard let token = Self.bearerToken(request.headers["Authorization"]) else { throw failures.missingCredentials }
        guard case .cached(let principal) = authenticator.cachedPrincipal(for: token) else { return nil }
        return try admit(request, as: principal)
    }

    private func admit(_ request: Request, as principal: Principal?) throws -> Request {
        guard let principal else { throw failures.invalidCredentials }
        guard principal.scopes.contains(scope) else { throw failures.missingScope }
        var request = request
        request.attributes[PrincipalKey.self] = principal
        return request
    }

    /// The token of an `Authorization: Bearer <token>` header without the spaces and tabs around
    /// it; nil for no header, another scheme or no token. Trims bytes rather than with
    /// Foundation's `trimmingCharacters`, which cost a few percent of a request's CPU.
    public static func bearerToken(_ header: String?) -> String? {
        guard let header, header.utf8.count > 7,
              header.utf8.prefix(7).map({ (65...90).contains($0) ? $0 + 32 : $0 }).elementsEqual("bearer ".utf8) else { return nil }
        let isBlank = { (byte: UInt8) in byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") }
        var token = header.utf8.dropFirst(7)
        while let first = token.first, isBlank(first) { token.removeFirst() }
        while let last = token.last, isBlank(last) { token.removeLast() }
        return token.isEmpty ? nil : String(Substring(token))
    }
}

/// The request attribute under which `BearerAuthentication` stores the caller.
public enum PrincipalKey: RequestAttributeKey {
    public typealias Value = Principal
}

extension Request {
    /// The authenticated caller; `DomainError.unauthenticated` when the route was reached
    /// without authentication.
    public func principal() throws(DomainError) -> Principal {
        guard let principal = attributes[PrincipalKey.self] else { throw DomainError.unauthenticated }
        return principal
    }
}
