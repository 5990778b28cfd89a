import API
import Accounts
import Domain
import HTTPServer

/// Bearer authentication for the family with Django REST framework's wording: DRF's token
/// authentication says "Authentication credentials were not provided." when no `Bearer`
/// credentials come, "Invalid token header. ..." for a malformed header, "Invalid token." for an
/// unknown, expired or revoked token (all 401), and "You do not have permission to perform this
/// action." (403) for a token without the `purchase` scope.
public enum PurchasesAuthentication {
    public static let notProvided = DomainError(.unauthenticated, code: "NOT_AUTHENTICATED",
                                                message: "Authentication credentials were not provided.")
    public static let invalidToken = DomainError(.unauthenticated, code: "AUTHENTICATION_FAILED", message: "Invalid token.")
    public static let permissionDenied = DomainError(.forbidden, code: "PERMISSION_DENIED",
                                                     message: "You do not have permission to perform this action.")

    /// The family's middleware chain: DRF's header checks, then `BearerAuthentication`.
    public static func middleware(authenticator: Authenticator) -> [any Middleware] {
        [HeaderCheck(), BearerAuthentication(scope: .purchase, authenticator: authenticator,
                                             failures: .init(missingCredentials: notProvided, invalidCredentials: invalidToken,
                                                             missingScope: permissionDenied))]
    }

    /// `Authorization: Bearer` with no token, or with spaces inside it.
    struct HeaderCheck: Middleware {
        func handle(_ request: Request, next: Handler) throws -> Response {
            if let header = request.headers["Authorization"] {
                let parts = header.split(separator: " ", omittingEmptySubsequences: true)
                if let scheme = parts.first, scheme.lowercased() == "bearer" {
                    if parts.count == 1 {
                        throw DomainError(.unauthenticated, code: "AUTHENTICATION_FAILED",
                                          message: "Invalid token header. No credentials provided.")
                    }
                    if parts.count > 2 {
                        throw DomainError(.unauthenticated, code: "AUTHENTICATION_FAILED",
                                          message: "Invalid token header. Token string should not contain spaces.")
                    }
                }
            }
            return try next(request)
        }
    }
}
