import Crypto
import Foundation
import Postgres
import VendCore

/// Vend users (agents) and their password hashes.
public struct VendUserStore: Sendable {
    public init() {}

    /// Creates a user of the organisation `organizationSlug`; the password is stored as a PBKDF2
    /// hash with `iterations` rounds. - Returns: the user.
    public func create(organizationSlug: String, email: String, name: String, password: String, iterations: Int,
                       on connection: PostgresConnection) throws -> VendUser {
        let email = VendEmail.normalize(email)
        guard VendEmail.isPlausible(email) else { throw VendStoreError.invalid("'\(email)' is not an e-mail address") }
        guard (1...200).contains(name.count) else { throw VendStoreError.invalid("the name must be 1-200 characters") }
        try Self.checkPassword(password)
        guard let organization = try connection.query("SELECT id FROM organizations WHERE slug = $1", [.text(organizationSlug)])
            .first.map({ try $0.uuid(0) }) else { throw VendStoreError.unknownOrganization(organizationSlug) }
        let hash = try PasswordHash.make(password, iterations: iterations)
        do {
            let row = try connection.query(
                "INSERT INTO vend_users (organization_id, email, name, password_hash) VALUES ($1, $2, $3, $4) RETURNING id",
                [.uuid(organization), .text(email), .text(name), .text(hash)])
            guard let id = try row.first?.uuid(0) else { throw VendStoreError.invalid("the user was not created") }
            return VendUser(id: id, organizationID: organization, email: email, name: name)
        } catch let error as PostgresError where error.isUniqueViolation {
            throw VendStoreError.duplicateUser(email)
        }
    }

    /// Replaces the password (and so the hash and its iteration count).
    public func setPassword(email: String, password: String, iterations: Int, on connection: PostgresConnection) throws {
        try Self.checkPassword(password)
        let updated = try connection.execute(
            "UPDATE vend_users SET password_hash = $2, updated_at = now() WHERE email = $1",
            [.text(VendEmail.normalize(email)), .text(try PasswordHash.make(password, iterations: iterations))])
        guard updated == 1 else { throw VendStoreError.unknownUser(email) }
    }

    /// Disables (or enables again) a user: a disabled one cannot log in, and its tokens stop working.
    public func setDisabled(_ disabled: Bool, email: String, on connection: PostgresConnection) throws {
        let updated = try connection.execute(
            "UPDATE vend_users SET disabled_at = CASE WHEN $2 THEN coalesce(disabled_at, now()) END, updated_at = now() WHERE email = $1",
            [.text(VendEmail.normalize(email)), .bool(disabled)])
        guard updated == 1 else { throw VendStoreError.unknownUser(email) }
    }

    /// The enabled user with this e-mail and its stored hash, for a login.
    func credentials(email: String, on connection: PostgresConnection) throws -> (user: VendUser, passwordHash: String)? {
        guard let row = try connection.queryPrepared(
            "SELECT id, organization_id, email, name, password_hash FROM vend_users WHERE email = $1 AND disabled_at IS NULL",
            [.text(VendEmail.normalize(email))]).first else { return nil }
        return (VendUser(id: try row.uuid(0), organizationID: try row.uuid(1), email: try row.string(2), name: try row.string(3)),
                try row.string(4))
    }

    /// Replaces a hash made with fewer iterations than now configured, after a login proved the password.
    func rehash(userID: UUID, password: String, iterations: Int, on connection: PostgresConnection) throws {
        try connection.execute("UPDATE vend_users SET password_hash = $2, updated_at = now() WHERE id = $1",
                               [.uuid(userID), .text(try PasswordHash.make(password, iterations: iterations))])
    }

    /// The users of an organisation, by e-mail.
    public func list(organizationSlug: String, on connection: PostgresConnection) throws -> [(user: VendUser, disabled: Bool)] {
        try connection.query(
            """
            SELECT u.id, u.organization_id, u.email, u.name, u.disabled_at IS NOT NULL
            FROM vend_users u JOIN organizations o ON o.id = u.organization_id WHERE o.slug = $1 ORDER BY u.email
            """, [.text(organizationSlug)]
        ).map { row in
            (VendUser(id: try row.uuid(0), organizationID: try row.uuid(1), email: try row.string(2), name: try row.string(3)),
             try row.bool(4))
        }
    }

    static func checkPassword(_ password: String) throws {
        guard (8...1024).contains(password.utf8.count) else {
            throw VendStoreError.invalid("a password must be 8-1024 bytes")
        }
    }
}
