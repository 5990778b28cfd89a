import Foundation

/// An agent who vends: logs in with e-mail and password, belongs to one organisation.
public struct VendUser: Sendable, Equatable {
    public let id: UUID
    public let organizationID: UUID
    public let email: String
    public let name: String

    public init(id: UUID, organizationID: UUID, email: String, name: String) {
        self.id = id
        self.organizationID = organizationID
        self.email = email
        self.name = name
    }
}

/// What the vend stores and services refuse, other than request validation.
public enum VendStoreError: Error, Equatable, CustomStringConvertible {
    case unknownOrganization(String)
    case duplicateUser(String)
    case unknownUser(String)
    case invalid(String)

    public var description: String {
        switch self {
        case .unknownOrganization(let slug): "no organisation with slug '\(slug)'"
        case .duplicateUser(let email): "a vend user with e-mail '\(email)' exists already"
        case .unknownUser(let email): "no vend user with e-mail '\(email)'"
        case .invalid(let reason): reason
        }
    }
}
