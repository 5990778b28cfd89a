import Crypto
import ESM
import Foundation
import Observability
import Postgres

/// Everything of the trading configuration, plant sync and plant configuration built once, for
/// `serve`: `TradingAPI` registers its routes over it, the wiring starts the scheduler.
///
/// The ESM clients are built first and passed in (`makeESMClients`), because the command relay
/// needs them too and the runtime that `TradingService` drives needs the relay: built in that
/// order, nothing has to be attached later.
public struct TradingModule: Sendable {
    public let service: TradingService
    public let esmClients: OrganizationESMClients
    public let plantSync: PlantSyncService
    public let plantConfig: PlantConfigService
    public let scheduler: TradingScheduler

    /// The organisations' ESM clients, calling out through the process's shared outbound client.
    public static func makeESMClients(keyring: Keyring, settings: TradingSettings, http: OutboundHTTPClient,
                                      logger: Logger) -> OrganizationESMClients {
        OrganizationESMClients(keyring: keyring, http: http, settings: settings, logger: logger)
    }

    /// The same over a client of their own with the system trust store and `privateAllowList`
    /// (comma-separated `host:port`).
    public static func makeESMClients(keyring: Keyring, settings: TradingSettings, privateAllowList: String,
                                      logger: Logger) throws -> OrganizationESMClients {
        makeESMClients(keyring: keyring, settings: settings,
                       http: OutboundHTTPClient(urlGuard: try OutboundURLGuard(privateAllowList: privateAllowList)), logger: logger)
    }

    public init(pool: PostgresPool, keyring: Keyring, settings: TradingSettings, esmClients: OrganizationESMClients,
                runtime: any TradingRuntime, logger: Logger) throws {
        service = try TradingService(pool: pool, keyring: keyring, urlGuard: esmClients.urlGuard, settings: settings,
                                     runtime: runtime, logger: logger)
        self.esmClients = esmClients
        plantSync = PlantSyncService(pool: pool, clients: esmClients, logger: logger)
        plantConfig = PlantConfigService(pool: pool, clients: esmClients, logger: logger)
        scheduler = TradingScheduler(pool: pool, sync: plantSync, runtime: runtime, interval: settings.plantSyncInterval, logger: logger)
    }
}
