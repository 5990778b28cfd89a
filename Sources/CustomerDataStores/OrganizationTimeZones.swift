import Foundation
import Postgres

/// The time zone each organisation's local times are read in (`organizations.time_zone`).
public struct OrganizationTimeZones: Sendable {
    /// The customer-data family's zone for an organisation that set none.
    public static let familyDefault = TimeZone(identifier: "America/Bogota")!

    public enum Failure: Error, Sendable, Equatable, CustomStringConvertible {
        case unknownZone(String)
        case unknownOrganization(UUID)

        public var description: String {
            switch self {
            case .unknownZone(let name): "'\(name)' is not an IANA time zone (such as America/Bogota)"
            case .unknownOrganization(let id): "no organisation with id \(id)"
            }
        }
    }

    public init() {}

    /// The organisation's zone, or `fallback` when it set none.
    public func zone(organizationID: UUID, fallback: TimeZone = familyDefault, on connection: PostgresConnection) throws -> TimeZone {
        let name = try connection.queryPrepared("SELECT time_zone FROM organizations WHERE id = $1", [.uuid(organizationID)])
            .first?.optionalString(0)
        return name.flatMap(TimeZone.init(identifier:)) ?? fallback
    }

    /// Sets (or, with nil, clears) the organisation's zone, after checking it is a zone both this
    /// process and PostgreSQL know.
    public func setZone(_ name: String?, organizationID: UUID, on connection: PostgresConnection) throws {
        if let name {
            guard TimeZone(identifier: name) != nil,
                  try connection.query("SELECT 1 FROM pg_timezone_names WHERE name = $1", [.text(name)]).count == 1
            else { throw Failure.unknownZone(name) }
        }
        let updated = try connection.execute("UPDATE organizations SET time_zone = $2 WHERE id = $1",
                                              [.uuid(organizationID), PostgresValue(name)])
        guard updated == 1 else { throw Failure.unknownOrganization(organizationID) }
    }
}
