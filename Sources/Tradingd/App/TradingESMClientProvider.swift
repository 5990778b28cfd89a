import ESM
import Foundation
import Postgres
import Relay
import Trading

/// The command relay's `ESMClientProvider` over the organisations' trading configurations: the
/// same cached clients (and token caches) as the plant endpoints use.
struct TradingESMClientProvider: ESMClientProvider {
    public struct NotConfigured: Error, CustomStringConvertible {
        public let organizationID: UUID
        public var description: String { "organization \(organizationID.uuidString.lowercased()) has no ESM URL and credentials" }
    }

    public let pool: PostgresPool
    public let clients: OrganizationESMClients

    public init(pool: PostgresPool, clients: OrganizationESMClients) {
        self.pool = pool
        self.clients = clients
    }

    public func client(for organizationID: UUID) throws -> any ESMCommandSending {
        let config = try pool.withConnection { try TradingConfigStore.find(organizationID: organizationID, on: $0) }
        guard let config, let client = try clients.client(for: config) else { throw NotConfigured(organizationID: organizationID) }
        return client
    }
}
