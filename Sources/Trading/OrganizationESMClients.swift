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
    /// The shared outbound client (URL guard, trust store, connection pool) every ESM call uses.
    public let http: OutboundHTTPClient
    public var urlGuard: OutboundURLGuard { http.urlGuard }
    private let settings: TradingSettings
    private let logger: Logger
    private let clients = Mutex<[UUID: Entry]>([:])
    /// Latency and errors of every organisation's ESM calls (the wiring puts them on `/metrics`).
    public let metrics: ESMMetrics

    public init(keyring: Keyring, http: OutboundHTTPClient, settings: TradingSettings, logger: Logger,
                metrics: ESMMetrics = ESMMetrics()) {
        self.metrics = metrics
        self.keyring = keyring
        self.http = http
        self.settings = settings
        self.logger = logger
    }

    /// Over a client of its own with the system trust store.
    public convenience init(keyring: Keyring, urlGuard: OutboundURLGuard, settings: TradingSettings, logger: Logger) {
        self.init(keyring: keyring, http: OutboundHTTPClient(urlGuard: urlGuard), settings: settings, logger: logger)
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
            requestTimeout: settings.esmRequestTimeout, maxAttempts: settings.esmMaxAttempts,
            callDeadline: settings.esmCallDeadline, maxConcurrentCalls: settings.esmMaxConcurrentCalls)
        let client = try ESMClient(configuration: configuration, client: http,
                                   logger: logger.with(["org.id": config.organizationID.uuidString.lowercased()]), metrics: metrics)
        clients.withLock { $0[config.organizationID] = Entry(key: key, client: client) }
        return client
    }
}
