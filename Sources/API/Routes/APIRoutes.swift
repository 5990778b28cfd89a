import HTTPServer

/// What an API family target hands the wiring: it registers its routes (usually one group under
/// its own prefix, with its error envelope and its authentication) on the daemon's router.
public protocol APIRoutes: Sendable {
    func register(on router: inout Router)
}
