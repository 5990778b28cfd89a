import API
import Accounts
import HTTPServer
import Postgres
import Trading

/// The trading family as the wiring registers it: every route under `/api/v1/trading`, rendered
/// in the trading envelope, behind bearer tokens with the `trading` scope.
public struct TradingRoutes: APIRoutes {
    public static let prefix = "/api/v1/trading"

    let module: TradingModule
    let telemetry: TelemetryAPI
    let commandLog: CommandLogAPI
    let authentication: any Middleware

    /// - Parameters:
    ///   - loopConnections: PostgreSQL connections of each event loop for the telemetry reads.
    ///   - authentication: normally `BearerAuthentication(scope: .trading, ...)`; tests pass a
    ///     stand-in that sets the principal.
    public init(module: TradingModule, pool: PostgresPool, maximumBuckets: Int, loopConnections: Int = 2,
                authentication: any Middleware) {
        self.module = module
        telemetry = TelemetryAPI(pool: pool, maximumBuckets: maximumBuckets, loopConnections: loopConnections)
        commandLog = CommandLogAPI(pool: pool)
        self.authentication = authentication
    }

    public func register(on router: inout Router) {
        router.group(Self.prefix, renderer: TradingEnvelope(), middleware: [authentication]) { group in
            register(on: &group, prefix: "")
        }
    }

    /// The routes alone, `prefix` prepended (`""` inside a group mounted at `/api/v1/trading`).
    public func register(on routes: inout some RouteRegistering, prefix: String) {
        TradingConfigAPI(service: module.service).register(on: &routes, prefix: prefix)
        PlantsAPI(pool: module.plantSync.pool, sync: module.plantSync).register(on: &routes, prefix: prefix)
        PlantConfigAPI(service: module.plantConfig).register(on: &routes, prefix: prefix)
        telemetry.register(on: &routes, prefix: prefix)
        commandLog.register(on: &routes, prefix: prefix)
    }
}
