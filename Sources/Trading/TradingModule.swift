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

    /// The organisations' ESM clients over `privateAllowList` (`TRADINGD_ESM_PRIVATE_ALLOW`,
    /// comma-separated `host:port`; logged loudly when not empty).
    public static func makeESMClients(keyring: Keyring, settings: TradingSettings, privateAllowList: String,
                                      logger: Logger) throws -> OrganizationESMClients {
        let urlGuard = try OutboundURLGuard(privateAllowList: privateAllowList)
        if !urlGuard.allowList.isEmpty {
            logger.warning("TRADINGD_ESM_PRIVATE_ALLOW is set: these private ESM endpoints are allowed (development only)",
                           ["allowed": urlGuard.allowList.map(\.description).sorted().joined(separator: ",")])
        }
        return OrganizationESMClients(keyring: keyring, urlGuard: urlGuard, settings: settings, logger: logger)
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
