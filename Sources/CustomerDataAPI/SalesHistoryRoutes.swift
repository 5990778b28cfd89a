import API
import Accounts
import CustomerData
import CustomerDataStores
import Domain
import Foundation
import HTTPServer
import Postgres

/// Seed 002's family: `POST /update-user-sales-history` and `GET /users/{id}`, behind bearer
/// tokens with the `loyalty` scope, errors as `{"error": "..."}` in Spanish.
public struct SalesHistoryRoutes: APIRoutes {
    public static let updatePath = "/update-user-sales-history"
    public static let usersPrefix = "/users"

    let pool: PostgresPool
    let authentication: any Middleware
    let rules: SalesHistoryRules

    /// - Parameter authentication: normally `SalesHistoryRoutes.authentication(_:)`; tests may
    ///   pass a stand-in that sets the principal.
    public init(pool: PostgresPool, authentication: any Middleware, rules: SalesHistoryRules = SalesHistoryRules()) {
        self.pool = pool
        self.authentication = authentication
        self.rules = rules
    }

    /// Bearer tokens with the `loyalty` scope, refused in the family's words.
    public static func authentication(_ authenticator: Authenticator) -> BearerAuthentication {
        BearerAuthentication(scope: .loyalty, authenticator: authenticator, failures: .init(
            missingCredentials: DomainError(.unauthenticated, code: "UNAUTHORIZED",
                                            message: "Falta el token de acceso: envíe el encabezado Authorization: Bearer {token}."),
            invalidCredentials: DomainError(.unauthenticated, code: "UNAUTHORIZED",
                                            message: "El token de acceso no es válido, venció o fue revocado."),
            missingScope: DomainError(.forbidden, code: "FORBIDDEN", message: "El token de acceso no tiene el alcance loyalty.")))
    }

    public func register(on router: inout Router) {
        let envelope = CustomerDataEnvelope(language: .spanish)
        router.group(Self.updatePath, renderer: envelope, middleware: [authentication]) { group in
            group.post("") { request in try update(request) }
        }
        router.group(Self.usersPrefix, renderer: envelope, middleware: [authentication]) { group in
            group.get("/{id}") { request in try user(request) }
        }
    }

    func update(_ request: Request) throws -> Response {
        let organization = try request.principal().organizationID
        let profile = try pool.withConnection { connection -> (SalesHistoryStore.Profile?, TimeZone) in
            let zone = try OrganizationTimeZones().zone(organizationID: organization, on: connection)
            let update: SalesHistoryUpdate
            switch SalesHistoryRequest.decode(request.body, zone: zone, now: Date(), rules: rules) {
            case .success(let decoded): update = decoded
            case .failure(let refusal): throw DomainError.invalid(refusal.message)
            }
            guard let profile = try SalesHistoryStore().merge(update, organizationID: organization, on: connection) else {
                throw Self.userNotFound(update.userID.uuidString.lowercased())
            }
            return (profile, zone)
        }
        return .exactJSON(SalesHistoryJSON.profile(profile.0!, zone: profile.1))
    }

    func user(_ request: Request) throws -> Response {
        let organization = try request.principal().organizationID
        let text = try request.pathParameter("id")
        guard let id = UUID(uuidString: text) else {
            throw DomainError.invalid("id: \(RequestRefusal.quoted(text)) no es un UUID válido.")
        }
        let (profile, zone) = try pool.withConnection { connection in
            (try SalesHistoryStore().profile(userID: id, organizationID: organization, on: connection),
             try OrganizationTimeZones().zone(organizationID: organization, on: connection))
        }
        guard let profile else { throw Self.userNotFound(id.uuidString.lowercased()) }
        return .exactJSON(SalesHistoryJSON.profile(profile, zone: zone))
    }

    static func userNotFound(_ id: String) -> DomainError {
        DomainError(.notFound, code: "USER_NOT_FOUND", message: "No existe un usuario con id \"\(id)\".")
    }
}
