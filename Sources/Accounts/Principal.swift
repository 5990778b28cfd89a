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

    public init(tokenID: UUID, organizationID: UUID, organizationSlug: String, role: Role, scopes: Set<Scope>) {
        self.tokenID = tokenID
        self.organizationID = organizationID
        self.organizationSlug = organizationSlug
        self.role = role
        self.scopes = scopes
    }

    /// Throws `DomainError.forbidden` unless the role is at least `minimum` (viewer < operator < admin).
    public func require(_ minimum: Role) throws(DomainError) {
        guard role >= minimum else { throw DomainError.forbidden }
    }
}
