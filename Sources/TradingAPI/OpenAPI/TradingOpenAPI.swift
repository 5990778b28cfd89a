import API

/// The trading family's part of `/openapi.json` (`004_07f66b98a7b58430.txt` plus what tradingd
/// adds: the plant list, partner credentials, the codes the seed does not list). One fragment
/// per group of routes, the shared schemas, parameters and responses in `components`.
extension TradingRoutes {
    public var openAPI: [OpenAPIFragment] {
        [Self.componentsFragment, Self.errorsFragment, Self.configFragment, Self.plantsFragment, Self.plantConfigFragment,
         Self.telemetryFragment, Self.commandLogFragment]
    }
}
