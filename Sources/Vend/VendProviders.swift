import Foundation
import Observability
import OutboundHTTP
import Postgres
import PrepaidPlus
import Synchronization
import VendCore

/// The providers of a deployment: an organisation with a PrepaidPlus account vends through it;
/// every other one through the built-in provider (the simulator, unless the wiring says
/// otherwise). Clients are built from the account when first needed and rebuilt when it changes.
public final class VendProviders: VendProviderDirectory {
    private let pool: PostgresPool
    private let accounts: VendProviderAccountStore
    private let builtIn: any VendProvider
    private let http: OutboundHTTPClient
    private let timeouts: OutboundHTTPClient.Timeouts
    private let logger: Logger
    /// Clients by organisation, with the account text they were built from.
    private let clients = Mutex<[UUID: (key: String, client: PrepaidPlusClient)]>([:])

    public init(pool: PostgresPool, accounts: VendProviderAccountStore, builtIn: any VendProvider, http: OutboundHTTPClient,
                timeouts: OutboundHTTPClient.Timeouts, logger: Logger) {
        self.pool = pool
        self.accounts = accounts
        self.builtIn = builtIn
        self.http = http
        self.timeouts = timeouts
        self.logger = logger
    }

    public func provider(for organizationID: UUID) throws -> any VendProvider {
        try prepaidPlus(for: organizationID) ?? builtIn
    }

    public func provider(named name: String, for organizationID: UUID) throws -> any VendProvider {
        if name == builtIn.name { return builtIn }
        if name == "prepaidplus", let client = try prepaidPlus(for: organizationID) { return client }
        throw VendStoreError.invalid("no vend provider '\(name)' is configured for organisation \(organizationID)")
    }

    private func prepaidPlus(for organizationID: UUID) throws -> PrepaidPlusClient? {
        guard let account = try pool.withConnection({ try accounts.account(organizationID: organizationID, on: $0) }) else {
            clients.withLock { $0[organizationID] = nil }
            return nil
        }
        let key = [account.baseURL.normalized, account.apiKey, account.password, account.outletID, account.operatorID,
                   account.terminalID].joined(separator: "\u{0}")
        return clients.withLock { clients in
            if let cached = clients[organizationID], cached.key == key { return cached.client }
            let client = PrepaidPlusClient(account: account, http: http, timeouts: timeouts,
                                           logger: logger.with(["org.id": organizationID.uuidString]))
            clients[organizationID] = (key, client)
            return client
        }
    }
}
