import Crypto
import Foundation
import Postgres

/// Organisations and their API tokens. A token is `tdt_` + 64 hex digits of 32 random bytes; only its
/// SHA-256 is stored, so the database never holds a usable token.
public struct TokenStore: Sendable {
    public struct TokenRecord: Sendable, Equatable {
        public let id: UUID
        public let role: Principal.Role
        public let scopes: [Principal.Scope]
        public let createdAt: Date
        public let expiresAt: Date?
        public let revokedAt: Date?
    }

    public struct IssuedToken: Sendable {
        public let id: UUID
        /// The token itself: shown once, never stored.
        public let token: String
    }

    public enum Failure: Error, Equatable, CustomStringConvertible {
        case unknownOrganization(String)
        case duplicateOrganization(String)
        case invalid(String)
        case unknownToken(UUID)

        public var description: String {
            switch self {
            case .unknownOrganization(let slug): "no organisation with slug '\(slug)'"
            case .duplicateOrganization(let slug): "an organisation with slug '\(slug)' exists already"
            case .invalid(let reason): reason
            case .unknownToken(let id): "no token with id \(id)"
            }
        }
    }

    static let tokenPrefix = "tdt_"

    /// Whether `token` has the form of an issued token (`tdt_` and 64 hex digits): anything else
    /// is refused without looking it up.
    public static func isWellFormed(_ token: String) -> Bool {
        let bytes = Array(token.utf8)
        guard bytes.count == tokenPrefix.utf8.count + 64, token.hasPrefix(tokenPrefix) else { return false }
        return bytes[tokenPrefix.utf8.count...].allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }
    }

    public init() {}

    /// Creates an organisation. - Returns: its id.
    public func createOrganization(slug: String, name: String, on connection: PostgresConnection) throws -> UUID {
        guard slug.range(of: "^[a-z0-9][a-z0-9-]{0,48}[a-z0-9]$", options: .regularExpression) != nil else {
            throw Failure.invalid("slug must be 2-50 lowercase letters, digits or hyphens, not starting or ending with a hyphen")
        }
        guard !name.isEmpty, name.count <= 200 else { throw Failure.invalid("name must be 1-200 characters") }
        do {
            return try connection.query("INSERT INTO organizations (slug, name) VALUES ($1, $2) RETURNING id",
                                        [.text(slug), .text(name)]).first!.uuid(0)
        } catch let error as PostgresError where error.isUniqueViolation {
            throw Failure.duplicateOrganization(slug)
        }
    }

    public func organizationID(slug: String, on connection: PostgresConnection) throws -> UUID {
        let rows = try connection.query("SELECT id FROM organizations WHERE slug = $1", [.text(slug)])
        guard let row = rows.first else { throw Failure.unknownOrganization(slug) }
        return try row.uuid(0)
    }

    /// - Parameter userID: binds the token to one user of the organisation (the caller checked that
    ///   the user is the organisation's); nil makes an organisation-wide token.
    public func createToken(organizationSlug: String, role: Principal.Role, scopes: [Principal.Scope],
                            expiresInDays: Int?, userID: UUID? = nil, on connection: PostgresConnection) throws -> IssuedToken {
        guard !scopes.isEmpty else { throw Failure.invalid("a token needs at least one scope") }
        if let days = expiresInDays, days <= 0 { throw Failure.invalid("--expires takes a whole number of days > 0") }
        let organization = try organizationID(slug: organizationSlug, on: connection)
        let token = Self.tokenPrefix + Hex.encode(try SecureRandom.bytes(count: 32))
        let expires: PostgresValue = expiresInDays.map { .timestamptz(Date().addingTimeInterval(Double($0) * 86_400)) } ?? .null
        let id = try connection.query(
            """
            INSERT INTO api_tokens (organization_id, token_hash, role, scopes, expires_at, user_id)
            VALUES ($1, $2, $3, $4, $5, $6) RETURNING id
            """,
            [.uuid(organization), .bytea(SHA256.hash(token)), .text(role.rawValue),
             .textArray(scopes.map(\.rawValue)), expires, PostgresValue(userID)]
        ).first!.uuid(0)
        return IssuedToken(id: id, token: token)
    }

    public func listTokens(organizationSlug: String, on connection: PostgresConnection) throws -> [TokenRecord] {
        let organization = try organizationID(slug: organizationSlug, on: connection)
        return try connection.query(
            """
            SELECT id, role, scopes, created_at, expires_at, revoked_at FROM api_tokens
            WHERE organization_id = $1 ORDER BY created_at, id
            """, [.uuid(organization)]
        ).map { row in
            TokenRecord(id: try row.uuid(0), role: Principal.Role(rawValue: try row.string(1)) ?? .viewer,
                        scopes: try row.stringArray(2).compactMap { $0.flatMap(Principal.Scope.init(rawValue:)) },
                        createdAt: try row.date(3), expiresAt: try row.optionalDate(4), revokedAt: try row.optionalDate(5))
        }
    }

    /// Revokes a token (idempotent for one already revoked).
    public func revoke(tokenID: UUID, on connection: PostgresConnection) throws {
        let updated = try connection.execute(
            "UPDATE api_tokens SET revoked_at = coalesce(revoked_at, now()) WHERE id = $1", [.uuid(tokenID)])
        guard updated == 1 else { throw Failure.unknownToken(tokenID) }
    }

    /// The token lookup: $1 the token's SHA-256.
    public static let authenticateSQL = """
        SELECT t.id, t.organization_id, o.slug, t.role, t.scopes, t.token_hash, t.user_id
        FROM api_tokens t JOIN organizations o ON o.id = t.organization_id
        WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > now())
        """

    /// The principal a presented token stands for, or nil when it is unknown, expired or revoked.
    /// The lookup is by hash, so the time it takes says nothing about how close a guess was.
    public func authenticate(token: String, on connection: PostgresConnection) throws -> Principal? {
        guard token.hasPrefix(Self.tokenPrefix), token.utf8.count < 200 else { return nil }
        let hash = SHA256.hash(token)
        let rows = try connection.queryPrepared(Self.authenticateSQL, [.bytea(hash)])
        guard let row = rows.first, ConstantTime.equals(try row.bytes(5), hash),
              let role = Principal.Role(rawValue: try row.string(3)) else { return nil }
        return Principal(tokenID: try row.uuid(0), organizationID: try row.uuid(1), organizationSlug: try row.string(2),
                         role: role, scopes: Set(try row.stringArray(4).compactMap { $0.flatMap(Principal.Scope.init(rawValue:)) }),
                         userID: try row.optionalUUID(6))
    }
}
