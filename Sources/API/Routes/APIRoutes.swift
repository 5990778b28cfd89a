import HTTPServer

/// What an API family target hands the wiring: it registers its routes (usually one group under
/// its own prefix, with its error envelope and its authentication) on the daemon's router, and
/// describes them in OpenAPI fragments that `/openapi.json` merges. A route registered without
/// a documented operation fails `RouteCoverageTests`.
public protocol APIRoutes: Sendable {
    func register(on router: inout Router)
    /// The family's part of the OpenAPI document (paths, components, tags).
    var openAPI: [OpenAPIFragment] { get }
}

extension APIRoutes {
    public var openAPI: [OpenAPIFragment] { [] }
}
