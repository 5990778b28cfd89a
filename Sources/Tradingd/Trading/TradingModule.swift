import Crypto
import ESM
import Foundation
import HTTPServer
import Observability
import Postgres

/// Everything of the trading configuration, plant sync and plant configuration built once, for
/// `serve`: register the routes inside the trading group, start the scheduler, hand
/// `relayESMClients` to the command relay.
public struct TradingModule: Sendable {
    public let service: TradingService
    public let esmClients: OrganizationESMClients
    public let plantSync: PlantSyncService
    public let plantConfig: PlantConfigService
    public let scheduler: TradingScheduler
    public let relayESMClients: TradingESMClientProvider

    /// - Parameter privateAllowList: `TRADINGD_ESM_PRIVATE_ALLOW` (comma-separated `host:port`);
    ///   logged loudly when not empty.
    public init(pool: PostgresPool, keyring: Keyring, settings: TradingSettings, privateAllowList: String,
                runtime: any TradingRuntime, logger: Logger) throws {
        let urlGuard = try OutboundURLGuard(privateAllowList: privateAllowList)
        if !urlGuard.allowList.isEmpty {
            logger.warning("TRADINGD_ESM_PRIVATE_ALLOW is set: these private ESM endpoints are allowed (development only)",
                           ["allowed": urlGuard.allowList.map(\.description).sorted().joined(separator: ",")])
        }
        service = try TradingService(pool: pool, keyring: keyring, urlGuard: urlGuard, settings: settings, runtime: runtime, logger: logger)
        esmClients = OrganizationESMClients(keyring: keyring, urlGuard: urlGuard, settings: settings, logger: logger)
        plantSync = PlantSyncService(pool: pool, clients: esmClients, logger: logger)
        plantConfig = PlantConfigService(pool: pool, clients: esmClients, logger: logger)
        scheduler = TradingScheduler(pool: pool, sync: plantSync, runtime: runtime, interval: settings.plantSyncInterval, logger: logger)
        relayESMClients = TradingESMClientProvider(pool: pool, clients: esmClients)
    }

    /// Registers config, enable/disable, connection details, plants, sync and plant configuration.
    /// `prefix` is `""` inside a group mounted at `/api/v1/trading`.
    public func register(on routes: inout some RouteRegistering, prefix: String = "/api/v1/trading") {
        TradingConfigAPI(service: service).register(on: &routes, prefix: prefix)
        PlantsAPI(pool: plantSync.pool, sync: plantSync).register(on: &routes, prefix: prefix)
        PlantConfigAPI(service: plantConfig).register(on: &routes, prefix: prefix)
    }
}
