import API
import Accounts
import CustomerDataStores
import Domain
import Foundation
import HTTPServer
import Postgres

/// The event endpoints' authentication (seed 003): an auth token from `POST /customer_events/token`
/// in `Authorization: Bearer`, never the API key itself. Puts a `Principal` (the organisation;
/// `tokenID` is the API key's id) on the request.
public struct CustomerEventAuthentication: Middleware {
    let pool: PostgresPool

    public init(pool: PostgresPool) { self.pool = pool }

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
        let store = CustomerEventAuthStore()
        let verdict = try pool.withConnection { connection in
            let verdict = try store.authenticate(token: token, on: connection)
            if case .unknown = verdict, try store.isAPIKey(token, on: connection) { return CustomerEventAuthStore.Verdict?.none }
            return verdict
        }
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
}
