import Crypto
import Foundation
import Postgres

/// Seed 003's authentication: clients hold an API key (stored only as its SHA-256) and trade it
/// for an expiring auth token (also stored as its SHA-256); the event endpoints take only the
/// token. Revoking a key ends every token issued for it.
public struct CustomerEventAuthStore: Sendable {
    public struct APIKeyRecord: Sendable, Equatable {
        public let id: UUID
        public let label: String
        public let createdAt: Date
        public let revokedAt: Date?
    }

    public struct IssuedKey: Sendable {
        public let id: UUID
        /// The key itself: shown once, never stored.
        public let key: String
    }

    public struct IssuedToken: Sendable, Equatable {
        public let token: String
        public let expiresAt: Date
    }

    /// Who a valid auth token acts for.
    public struct Client: Sendable, Equatable {
        public let organizationID: UUID
        public let organizationSlug: String
        public let apiKeyID: UUID

        public init(organizationID: UUID, organizationSlug: String, apiKeyID: UUID) {
            self.organizationID = organizationID
            self.organizationSlug = organizationSlug
            self.apiKeyID = apiKeyID
        }
    }

    /// What a presented auth token is.
    public enum Verdict: Sendable, Equatable {
        case valid(Client)
        /// Known, but past its expiry.
        case expired
        /// Known, but its API key was revoked.
        case revoked
        /// Not a token this store issued.
        case unknown
    }

    public enum Failure: Error, Sendable, Equatable, CustomStringConvertible {
        case invalidKey(String)
        case duplicateKey
        case unknownKey(UUID)

        public var description: String {
            switch self {
            case .invalidKey(let reason): reason
            case .duplicateKey: "that API key is registered already"
            case .unknownKey(let id): "no API key with id \(id)"
            }
        }
    }

    static let keyPrefix = "cek_"
    static let tokenPrefix = "cet_"

    public init() {}

    /// Registers an API key for the organisation: a new random one, or `key` when a client
    /// already holds one (moving from another system). - Returns: the key, to show once.
    public func createKey(organizationID: UUID, label: String, key given: String? = nil,
                          on connection: PostgresConnection) throws -> IssuedKey {
        guard (1...200).contains(label.unicodeScalars.count) else { throw Failure.invalidKey("a label of 1-200 characters is required") }
        let key = try given ?? (Self.keyPrefix + Hex.encode(try SecureRandom.bytes(count: 32)))
        guard key.utf8.count >= 32, key.utf8.count <= 200, key.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7F }) else {
            throw Failure.invalidKey("an API key must be 32-200 printable ASCII characters without spaces")
        }
        do {
            let id = try connection.query(
                "INSERT INTO customer_event_api_keys (organization_id, key_hash, label) VALUES ($1, $2, $3) RETURNING id",
                [.uuid(organizationID), .bytea(SHA256.hash(key)), .text(label)])[0].uuid(0)
            return IssuedKey(id: id, key: key)
        } catch let error as PostgresError where error.isUniqueViolation {
            throw Failure.duplicateKey
        }
    }

    public func listKeys(organizationID: UUID, on connection: PostgresConnection) throws -> [APIKeyRecord] {
        try connection.query(
            "SELECT id, label, created_at, revoked_at FROM customer_event_api_keys WHERE organization_id = $1 ORDER BY created_at, id",
            [.uuid(organizationID)]
        ).map { row in
            APIKeyRecord(id: try row.uuid(0), label: try row.string(1), createdAt: try row.date(2), revokedAt: try row.optionalDate(3))
        }
    }

    /// Revokes a key and, with it, its tokens (idempotent for a key already revoked).
    public func revokeKey(id: UUID, on connection: PostgresConnection) throws {
        let updated = try connection.execute(
            "UPDATE customer_event_api_keys SET revoked_at = coalesce(revoked_at, now()) WHERE id = $1", [.uuid(id)])
        guard updated == 1 else { throw Failure.unknownKey(id) }
    }

    /// A new auth token for a valid API key, or nil when the key is unknown or revoked.
    public func issueToken(apiKey: String, lifetime: Duration, on connection: PostgresConnection) throws -> IssuedToken? {
        guard apiKey.utf8.count <= 200 else { return nil }
        let hash = SHA256.hash(apiKey)
        let token = Self.tokenPrefix + Hex.encode(try SecureRandom.bytes(count: 32))
        let seconds = Double(lifetime.components.seconds) + Double(lifetime.components.attoseconds) / 1e18
        let rows = try connection.queryPrepared(
            """
            INSERT INTO customer_event_tokens (api_key_id, token_hash, expires_at)
            SELECT k.id, $2, now() + make_interval(secs => $3) FROM customer_event_api_keys k
            WHERE k.key_hash = $1 AND k.revoked_at IS NULL
            RETURNING expires_at
            """, [.bytea(hash), .bytea(SHA256.hash(token)), .double(seconds)])
        guard let row = rows.first else { return nil }
        return IssuedToken(token: token, expiresAt: try row.date(0))
    }

    /// What an auth token is: valid (and for whom), expired, revoked (through its key) or unknown.
    /// An API key presented here is never accepted: only tokens are looked up.
    public func authenticate(token: String, on connection: PostgresConnection) throws -> Verdict {
        try authenticateWithExpiry(token: token, on: connection).verdict
    }

    /// `authenticate`, and for a valid token the time it expires (for a cache of valid tokens).
    public func authenticateWithExpiry(token: String, on connection: PostgresConnection) throws -> (verdict: Verdict, expiresAt: Date?) {
        guard token.hasPrefix(Self.tokenPrefix), token.utf8.count < 200 else { return (.unknown, nil) }
        let hash = SHA256.hash(token)
        let rows = try connection.queryPrepared(
            """
            SELECT k.organization_id, o.slug, k.id, t.token_hash, t.expires_at <= now() AS expired, k.revoked_at IS NOT NULL AS revoked,
                   t.expires_at
            FROM customer_event_tokens t
            JOIN customer_event_api_keys k ON k.id = t.api_key_id JOIN organizations o ON o.id = k.organization_id
            WHERE t.token_hash = $1
            """, [.bytea(hash)])
        guard let row = rows.first, ConstantTime.equals(try row.bytes(3), hash) else { return (.unknown, nil) }
        if try row.bool(5) { return (.revoked, nil) }
        if try row.bool(4) { return (.expired, nil) }
        let client = Client(organizationID: try row.uuid(0), organizationSlug: try row.string(1), apiKeyID: try row.uuid(2))
        return (.valid(client), try row.date(6))
    }

    /// True when `text` is one of the registered API keys (so the event endpoints can say that a
    /// key was sent where a token belongs, rather than only "unknown token").
    public func isAPIKey(_ text: String, on connection: PostgresConnection) throws -> Bool {
        guard text.utf8.count <= 200 else { return false }
        return try !connection.queryPrepared("SELECT 1 FROM customer_event_api_keys WHERE key_hash = $1",
                                             [.bytea(SHA256.hash(text))]).isEmpty
    }

    /// Deletes tokens that expired more than `age` ago. - Returns: how many.
    @discardableResult
    public func deleteExpiredTokens(olderThan age: Duration = .seconds(86_400), on connection: PostgresConnection) throws -> Int {
        try connection.execute("DELETE FROM customer_event_tokens WHERE expires_at < now() - make_interval(secs => $1)",
                               [.double(Double(age.components.seconds))])
    }
}
