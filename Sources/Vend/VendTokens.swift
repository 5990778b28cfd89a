import Crypto
import Foundation
import Postgres
import Timekeeping

/// Opaque random tokens of the vend family: a prefix and 64 hex digits of 32 random bytes. Only
/// their SHA-256 is stored, so the database never holds a usable token.
enum VendTokenText {
    /// `api_token` from login and verify-customer.
    static let apiPrefix = "vat_"
    /// `elec_token` from verify-customer.
    static let elecPrefix = "vet_"

    static func make(prefix: String) throws -> String {
        prefix + Hex.encode(try SecureRandom.bytes(count: 32))
    }

    /// The hash to look a presented token up by, or nil when it cannot be one of ours (no
    /// database round trip for garbage).
    static func hash(_ token: String, prefix: String) -> [UInt8]? {
        guard token.hasPrefix(prefix), token.utf8.count == prefix.utf8.count + 64 else { return nil }
        return SHA256.hash(token)
    }
}

/// api_tokens: issued by login, checked on every purchase and history call.
public struct VendAPITokenStore: Sendable {
    public init() {}

    /// Issues a token for `userID` valid for `lifetime`. - Returns: the token (shown once) and its expiry.
    func issue(userID: UUID, lifetime: Duration, on connection: PostgresConnection) throws -> (token: String, expiresAt: Date) {
        let token = try VendTokenText.make(prefix: VendTokenText.apiPrefix)
        let row = try connection.queryPrepared(
            """
            INSERT INTO vend_api_tokens (user_id, token_hash, expires_at)
            VALUES ($1, $2, now() + make_interval(secs => $3)) RETURNING expires_at
            """, [.uuid(userID), .bytea(SHA256.hash(token)), .double(lifetime.inSeconds)])
        guard let expiresAt = try row.first?.date(0) else { throw VendStoreError.invalid("the token was not stored") }
        return (token, expiresAt)
    }

    /// The enabled user an unexpired, unrevoked token stands for; nil otherwise. Found by its hash
    /// and compared in constant time, so timing says nothing about how close a guess was.
    public func authenticate(token: String, on connection: PostgresConnection) throws -> VendUser? {
        guard let hash = VendTokenText.hash(token, prefix: VendTokenText.apiPrefix) else { return nil }
        guard let row = try connection.queryPrepared(
            """
            SELECT u.id, u.organization_id, u.email, u.name, t.token_hash
            FROM vend_api_tokens t JOIN vend_users u ON u.id = t.user_id
            WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND t.expires_at > now() AND u.disabled_at IS NULL
            """, [.bytea(hash)]).first, ConstantTime.equals(try row.bytes(4), hash) else { return nil }
        return VendUser(id: try row.uuid(0), organizationID: try row.uuid(1), email: try row.string(2), name: try row.string(3))
    }

    /// Revokes every token of a user (after a password change or a suspected leak). - Returns: how many.
    @discardableResult
    public func revokeAll(email: String, on connection: PostgresConnection) throws -> Int {
        try connection.execute(
            """
            UPDATE vend_api_tokens SET revoked_at = now()
            WHERE revoked_at IS NULL AND user_id = (SELECT id FROM vend_users WHERE email = $1)
            """, [.text(email.lowercased())])
    }

    /// Deletes tokens that expired more than a day ago. - Returns: how many.
    @discardableResult
    public func deleteExpired(on connection: PostgresConnection) throws -> Int {
        try connection.execute("DELETE FROM vend_api_tokens WHERE expires_at < now() - interval '1 day'")
    }
}
