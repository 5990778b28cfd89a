import API
import Accounts
import CustomerDataStores
import Domain
import Foundation
import HTTPServer
import Postgres

/// The event endpoints' authentication (seed 003): an auth token from `POST /customer_events/token`
/// in `Authorization: Bearer`, never the API key itself. Puts a `Principal` (the organisation;
/// `tokenID` is the API key's id) on the request. Valid tokens come from `tokens` when given
/// (the daemon's, kept true by its `TokenRevocationListener`).
public struct CustomerEventAuthentication: Middleware {
    let pool: PostgresPool
    let tokens: CustomerEventTokenCache?

    public init(pool: PostgresPool, tokens: CustomerEventTokenCache? = nil) {
        self.pool = pool
        self.tokens = tokens
    }

    static let apiKeyRefused = DomainError(
        .unauthenticated, code: "API_KEY_NOT_ACCEPTED",
        message: "This endpoint does not accept the api_key: trade it for an auth token with POST /customer_events/token "
            + "and send Authorization: Bearer <token>.")

    public func handle(_ request: Request, next: Handler) throws -> Response {
        if request.headers.contains("api_key") { throw Self.apiKeyRefused }
        guard let token = BearerAuthentication.bearerToken(request.headers["Authorization"]) else {
            throw DomainError(.unauthenticated, code: "UNAUTHORIZED",
                              message: "An auth token is required: send Authorization: Bearer <token> (from POST /customer_events/token).")
        }
        // nil: the token is one of the API keys.
        var looked: CustomerEventAuthStore.Verdict?? = .none
        let lookUp = { () throws -> (client: CustomerEventAuthStore.Client?, expiresAt: Date?) in
            let (verdict, expiresAt) = try lookUpVerdict(token)
            looked = .some(verdict)
            if case .valid(let client)? = verdict { return (client, expiresAt) }
            return (nil, nil)
        }
        let client = try tokens.map { try $0.validClient(for: token, lookUp: lookUp) } ?? lookUp().client
        let verdict: CustomerEventAuthStore.Verdict? = if let client { .valid(client) } else { looked ?? .unknown }
        switch verdict {
        case .valid(let client)?:
            var request = request
            request.attributes[PrincipalKey.self] = Principal(
                tokenID: client.apiKeyID, organizationID: client.organizationID, organizationSlug: client.organizationSlug,
                role: .operator, scopes: [.loyalty])
            return try next(request)
        case .expired?:
            throw DomainError(.unauthenticated, code: "TOKEN_EXPIRED",
                              message: "The auth token has expired: request a new one with POST /customer_events/token.")
        case .revoked?:
            throw DomainError(.unauthenticated, code: "TOKEN_REVOKED", message: "The auth token's api_key has been revoked.")
        case .unknown?:
            throw DomainError(.unauthenticated, code: "UNAUTHORIZED", message: "The auth token is not valid.")
        case nil:
            throw Self.apiKeyRefused
        }
    }

    /// The token's verdict from the database (nil: it is an API key), and a valid one's expiry.
    private func lookUpVerdict(_ token: String) throws -> (CustomerEventAuthStore.Verdict?, Date?) {
        let store = CustomerEventAuthStore()
        return try pool.withConnection { connection in
            let (verdict, expiresAt) = try store.authenticateWithExpiry(token: token, on: connection)
            if case .unknown = verdict, try store.isAPIKey(token, on: connection) { return (nil, nil) }
            return (verdict, expiresAt)
        }
    }
}
