import Crypto
import Foundation
import OutboundHTTP
import Postgres
import PrepaidPlus

/// The PrepaidPlus account an organisation vends through, with its API key and password sealed
/// (AES-256-GCM under the configured keyring, bound to the organisation and the field) before they
/// reach the database.
public struct VendProviderAccountStore: Sendable {
    /// What an operator sets (`tradingd vend provider set`).
    public struct Settings: Sendable {
        public var baseURL: String
        public var apiKey: String
        public var password: String
        public var outletID: String
        public var operatorID: String
        public var terminalID: String

        public init(baseURL: String, apiKey: String, password: String, outletID: String, operatorID: String, terminalID: String) {
            self.baseURL = baseURL
            self.apiKey = apiKey
            self.password = password
            self.outletID = outletID
            self.operatorID = operatorID
            self.terminalID = terminalID
        }
    }

    /// What may be shown of an account: never the credentials.
    public struct Summary: Sendable, Equatable {
        public let baseURL: String
        public let outletID: String
        public let operatorID: String
        public let terminalID: String
        public let updatedAt: Date
    }

    let keyring: Keyring
    let urlGuard: OutboundURLGuard

    public init(keyring: Keyring, urlGuard: OutboundURLGuard) {
        self.keyring = keyring
        self.urlGuard = urlGuard
    }

    static func context(_ organizationID: UUID, _ field: String) -> String { "org:\(organizationID)/vend/\(field)" }

    /// Stores (or replaces) the account; the URL must pass the guard (public `https`, or an
    /// allow-listed development address) and have no query.
    public func set(_ settings: Settings, organizationID: UUID, on connection: PostgresConnection) throws {
        let url: ValidatedURL
        do {
            url = try urlGuard.check(url: settings.baseURL)
        } catch let error as OutboundURLError {
            throw VendStoreError.invalid("the provider URL is refused: \(error.reason)")
        }
        guard !url.pathAndQuery.contains("?") else { throw VendStoreError.invalid("the provider URL must not have a query") }
        for (name, value) in [("API key", settings.apiKey), ("password", settings.password), ("outlet id", settings.outletID),
                              ("operator id", settings.operatorID), ("terminal id", settings.terminalID)] where value.isEmpty {
            throw VendStoreError.invalid("the \(name) is empty")
        }
        try connection.execute(
            """
            INSERT INTO vend_provider_accounts (organization_id, base_url, api_key_sealed, password_sealed, outlet_id, operator_id, terminal_id)
            VALUES ($1, $2, $3, $4, $5, $6, $7)
            ON CONFLICT (organization_id) DO UPDATE SET base_url = EXCLUDED.base_url, api_key_sealed = EXCLUDED.api_key_sealed,
                password_sealed = EXCLUDED.password_sealed, outlet_id = EXCLUDED.outlet_id, operator_id = EXCLUDED.operator_id,
                terminal_id = EXCLUDED.terminal_id, updated_at = now()
            """, [.uuid(organizationID), .text(url.normalized),
                  .text(try keyring.seal(settings.apiKey, context: Self.context(organizationID, "apiKey"))),
                  .text(try keyring.seal(settings.password, context: Self.context(organizationID, "password"))),
                  .text(settings.outletID), .text(settings.operatorID), .text(settings.terminalID)])
    }

    /// Removes the account: the organisation vends through the built-in simulator again.
    /// - Returns: whether there was one.
    @discardableResult
    public func remove(organizationID: UUID, on connection: PostgresConnection) throws -> Bool {
        try connection.execute("DELETE FROM vend_provider_accounts WHERE organization_id = $1", [.uuid(organizationID)]) == 1
    }

    public func summary(organizationID: UUID, on connection: PostgresConnection) throws -> Summary? {
        guard let row = try connection.query(
            "SELECT base_url, outlet_id, operator_id, terminal_id, updated_at FROM vend_provider_accounts WHERE organization_id = $1",
            [.uuid(organizationID)]).first else { return nil }
        return Summary(baseURL: try row.string(0), outletID: try row.string(1), operatorID: try row.string(2),
                       terminalID: try row.string(3), updatedAt: try row.date(4))
    }

    /// The account with its credentials opened, or nil when the organisation has none.
    func account(organizationID: UUID, on connection: PostgresConnection) throws -> PrepaidPlusAccount? {
        guard let row = try connection.queryPrepared(
            """
            SELECT base_url, api_key_sealed, password_sealed, outlet_id, operator_id, terminal_id
            FROM vend_provider_accounts WHERE organization_id = $1
            """, [.uuid(organizationID)]).first else { return nil }
        return PrepaidPlusAccount(
            baseURL: try urlGuard.check(url: try row.string(0)),
            apiKey: try keyring.open(try row.string(1), context: Self.context(organizationID, "apiKey")),
            password: try keyring.open(try row.string(2), context: Self.context(organizationID, "password")),
            outletID: try row.string(3), operatorID: try row.string(4), terminalID: try row.string(5))
    }
}
