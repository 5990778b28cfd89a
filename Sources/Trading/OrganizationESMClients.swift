import Crypto
import ESM
import Foundation
import Observability
import Synchronization

/// One `ESMClient` per organisation, reused while its URL and credentials stay the same so that
/// the client's token cache works across requests; a changed configuration builds a new one.
public final class OrganizationESMClients: Sendable {
    private struct Entry {
        let key: String
        let client: ESMClient
    }

    private let keyring: Keyring
    public let urlGuard: OutboundURLGuard
    private let settings: TradingSettings
    private let logger: Logger
    private let clients = Mutex<[UUID: Entry]>([:])

    public init(keyring: Keyring, urlGuard: OutboundURLGuard, settings: TradingSettings, logger: Logger) {
        self.keyring = keyring
        self.urlGuard = urlGuard
        self.settings = settings
        self.logger = logger
    }

    /// The organisation's client; nil when its ESM URL or credentials are not set.
    /// - Throws: `ESMError` when the URL is refused now (the guard runs again here).
    public func client(for config: TradingConfigRecord) throws -> ESMClient? {
        guard let url = config.esmAPIURL, let clientID = config.esmClientID, let sealed = config.esmClientSecretSealed else {
            return nil
        }
        // The sealed text changes whenever the secret does, so it identifies the credentials.
        let key = "\(url)\n\(clientID)\n\(sealed)"
        if let entry = clients.withLock({ $0[config.organizationID] }), entry.key == key { return entry.client }
        let secret = try keyring.open(sealed, context: TradingConfigRecord.esmSecretContext(config.organizationID))
        let configuration = ESMClientConfiguration(
            baseURL: url, clientID: clientID, clientSecret: secret, connectTimeout: settings.esmConnectTimeout,
            requestTimeout: settings.esmRequestTimeout, maxAttempts: settings.esmMaxAttempts)
        let client = try ESMClient(configuration: configuration, urlGuard: urlGuard,
                                   logger: logger.with(["org.id": config.organizationID.uuidString.lowercased()]))
        clients.withLock { $0[config.organizationID] = Entry(key: key, client: client) }
        return client
    }
}
