import Domain
import HTTPServer
import Vend

/// `Authorization: Bearer <api_token>` with a token from login or verify-customer (the vend
/// family's own scheme: its callers are vend users, not organisation tokens). Puts the
/// `VendUser` on the request; anything else is the seed's 401 `{"message": "Unauthenticated."}`.
struct VendAuthentication: Middleware {
    let service: VendService

    static let unauthenticated = DomainError(.unauthenticated, code: VendEnvelope.unauthenticatedCode, message: "Unauthenticated.")

    func handle(_ request: Request, next: Handler) throws -> Response {
        guard let header = request.headers["Authorization"], header.count > 7, header.prefix(7).lowercased() == "bearer ",
              let user = try service.authenticate(apiToken: header.dropFirst(7).trimmingCharacters(in: .whitespaces)) else {
            throw Self.unauthenticated
        }
        var request = request
        request.attributes[VendUserKey.self] = user
        return try next(request)
    }
}

/// The request attribute holding the vend user an api_token stands for.
enum VendUserKey: RequestAttributeKey {
    typealias Value = VendUser
}

extension Request {
    func vendUser() throws -> VendUser {
        guard let user = attributes[VendUserKey.self] else { throw VendAuthentication.unauthenticated }
        return user
    }
}
