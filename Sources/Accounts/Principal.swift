import Domain
import Foundation

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
    /// The one user of the organisation this token acts for (`token create --user`); nil: a token
    /// of the whole organisation, which acts for any of its users.
    public let userID: UUID?

    public init(tokenID: UUID, organizationID: UUID, organizationSlug: String, role: Role, scopes: Set<Scope>,
                userID: UUID? = nil) {
        self.tokenID = tokenID
        self.organizationID = organizationID
        self.organizationSlug = organizationSlug
        self.role = role
        self.scopes = scopes
        self.userID = userID
    }

    /// Throws `DomainError.forbidden` unless the role is at least `minimum` (viewer < operator < admin).
    public func require(_ minimum: Role) throws(DomainError) {
        guard role >= minimum else { throw DomainError.forbidden }
    }
}
