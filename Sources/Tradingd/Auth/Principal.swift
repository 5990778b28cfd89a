import Foundation
import HTTPServer

/// What a bearer token may do: the caller's organisation, role and API families.
public struct Principal: Sendable, Equatable {
    public enum Role: String, Sendable, CaseIterable, Comparable {
        case viewer, `operator`, admin

        private var rank: Int {
            switch self {
            case .viewer: 0
            case .operator: 1
            case .admin: 2
            }
        }

        public static func < (lhs: Role, rhs: Role) -> Bool { lhs.rank < rhs.rank }
    }

    /// API families a token may be limited to (DESIGN §6).
    public enum Scope: String, Sendable, CaseIterable {
        case trading, purchase, vend, loyalty
    }

    public let tokenID: UUID
    public let organizationID: UUID
    public let organizationSlug: String
    public let role: Role
    public let scopes: Set<Scope>

    public init(tokenID: UUID, organizationID: UUID, organizationSlug: String, role: Role, scopes: Set<Scope>) {
        self.tokenID = tokenID
        self.organizationID = organizationID
        self.organizationSlug = organizationSlug
        self.role = role
        self.scopes = scopes
    }

    /// Throws 403 unless the role is at least `minimum` (viewer < operator < admin).
    public func require(_ minimum: Role) throws(HTTPError) {
        guard role >= minimum else { throw HTTPError.forbidden }
    }
}

extension HTTPError {
    public static let unauthorized = HTTPError(status: 401, code: "UNAUTHORIZED", message: "Unauthorized")
    public static let forbidden = HTTPError(status: 403, code: "FORBIDDEN", message: "Forbidden")
}

/// The request attribute under which the authentication middleware stores the caller.
public enum PrincipalKey: RequestAttributeKey {
    public typealias Value = Principal
}

extension Request {
    /// The authenticated caller; 401 when the route was reached without authentication.
    public func principal() throws(HTTPError) -> Principal {
        guard let principal = attributes[PrincipalKey.self] else { throw HTTPError.unauthorized }
        return principal
    }
}
