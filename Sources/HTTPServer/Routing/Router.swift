/// Where a route's handler runs.
public enum RouteExecution: Sendable {
    /// On the bounded worker pool: the handler may block (database calls). The default.
    case workerPool
    /// On the event loop itself: only for handlers that never block and finish in microseconds
    /// (`/healthz`, `/metrics`).
    case eventLoop
}

/// One registered route, its middleware already wrapped around the handler (and applied before
/// its loop handler).
public struct Route: Sendable {
    public let method: String
    public let pattern: RoutePattern
    public let execution: RouteExecution
    let handler: Handler
    /// Tried first, on the event loop, for a worker-pool route that has one.
    let loopHandler: LoopHandler?
    let renderer: any HTTPErrorRenderer
}

/// Routes collected under one prefix, error renderer and middleware chain.
public struct RouteGroup: RouteRegistering {
    public let prefix: String
    let renderer: any HTTPErrorRenderer
    let middleware: [any Middleware]
    var routes: [Route] = []

    /// Adds a route; `pattern` is relative to the group's prefix (`""` for the prefix itself).
    public mutating func on(_ method: String, _ pattern: String, execution: RouteExecution = .workerPool,
                            onLoop loopHandler: LoopHandler? = nil, _ handler: @escaping Handler) {
        let full = prefix + pattern
        routes.append(Route(method: method, pattern: RoutePattern(full.isEmpty ? "/" : full), execution: execution,
                            handler: middleware.wrapping(handler), loopHandler: loopHandler.map(middleware.admittingOnLoop),
                            renderer: renderer))
    }
}

/// Adding routes, the same on a router and on a group.
public protocol RouteRegistering {
    /// `loopHandler`, for a worker-pool route, is tried first on the event loop (`LoopHandler`).
    mutating func on(_ method: String, _ pattern: String, execution: RouteExecution, onLoop loopHandler: LoopHandler?,
                     _ handler: @escaping Handler)
}

extension RouteRegistering {
    public mutating func on(_ method: String, _ pattern: String, execution: RouteExecution = .workerPool,
                            _ handler: @escaping Handler) {
        on(method, pattern, execution: execution, onLoop: nil, handler)
    }

    /// A GET tried first on the event loop by `loopHandler`, else answered by `handler` on the
    /// worker pool.
    public mutating func get(_ pattern: String, onLoop loopHandler: @escaping LoopHandler, _ handler: @escaping Handler) {
        on("GET", pattern, execution: .workerPool, onLoop: loopHandler, handler)
    }

    public mutating func get(_ pattern: String, execution: RouteExecution = .workerPool, _ handler: @escaping Handler) {
        on("GET", pattern, execution: execution, handler)
    }

    public mutating func post(_ pattern: String, execution: RouteExecution = .workerPool, _ handler: @escaping Handler) {
        on("POST", pattern, execution: execution, handler)
    }

    public mutating func put(_ pattern: String, execution: RouteExecution = .workerPool, _ handler: @escaping Handler) {
        on("PUT", pattern, execution: execution, handler)
    }

    public mutating func patch(_ pattern: String, execution: RouteExecution = .workerPool, _ handler: @escaping Handler) {
        on("PATCH", pattern, execution: execution, handler)
    }

    public mutating func delete(_ pattern: String, execution: RouteExecution = .workerPool, _ handler: @escaping Handler) {
        on("DELETE", pattern, execution: execution, handler)
    }
}

/// What a method and path resolve to.
public enum RouteMatch: Sendable {
    case found(Route, parameters: [String: String])
    /// The path exists for other methods only (405 with `Allow`).
    case methodNotAllowed(allowed: [String], renderer: any HTTPErrorRenderer)
    case notFound(renderer: any HTTPErrorRenderer)
    /// The path does not decode (malformed escape, NUL, CR/LF, non-UTF-8): 400.
    case badPath(renderer: any HTTPErrorRenderer)
}

/// Method + path-pattern routing, 404 vs 405, and the single place where a thrown error becomes
/// a response (`respond(to:match:)`).
public struct Router: Sendable, RouteRegistering {
    public let defaultRenderer: any HTTPErrorRenderer
    /// Every route, in registration order (the OpenAPI coverage test compares them with the document).
    public private(set) var routes: [Route] = []
    /// Group prefixes, to pick the renderer of a 404/405/400 under them.
    private var scopes: [(prefix: RoutePattern, renderer: any HTTPErrorRenderer)] = []
    private let middleware: [any Middleware]

    /// The prefixes of the route groups, in registration order (a family's envelope covers each).
    public var groupPrefixes: [String] { scopes.map(\.prefix.description) }

    /// - Parameters:
    ///   - renderer: the error shape outside every group.
    ///   - middleware: wrapped around every route added directly (not around groups).
    public init(renderer: any HTTPErrorRenderer = DefaultErrorRenderer(), middleware: [any Middleware] = []) {
        defaultRenderer = renderer
        self.middleware = middleware
    }

    public mutating func on(_ method: String, _ pattern: String, execution: RouteExecution = .workerPool,
                            onLoop loopHandler: LoopHandler? = nil, _ handler: @escaping Handler) {
        var root = RouteGroup(prefix: "", renderer: defaultRenderer, middleware: middleware)
        root.on(method, pattern, execution: execution, onLoop: loopHandler, handler)
        routes += root.routes
    }

    /// Adds the routes `build` registers under `prefix` (e.g. `/api/v1/trading`), rendered by
    /// `renderer` and wrapped in `middleware` (first outermost).
    public mutating func group(_ prefix: String, renderer: (any HTTPErrorRenderer)? = nil,
                               middleware: [any Middleware] = [], _ build: (inout RouteGroup) -> Void) {
        precondition(prefix.hasPrefix("/") && !prefix.hasSuffix("/"), "group prefix like '/api/v1': \(prefix)")
        var group = RouteGroup(prefix: prefix, renderer: renderer ?? defaultRenderer, middleware: middleware)
        build(&group)
        routes += group.routes
        scopes.append((RoutePattern(prefix), group.renderer))
    }

    /// Resolves `path` (still percent-encoded) for `method`; HEAD falls back to GET routes.
    public func resolve(method: String, path: String) -> RouteMatch {
        var decoded: [String] = []
        for raw in RoutePattern.split(path) {
            guard let segment = PercentDecoding.decode(raw, plusAsSpace: false) else {
                return .badPath(renderer: renderer(for: RoutePattern.split(path).map(String.init)))
            }
            decoded.append(segment)
        }
        var best: (route: Route, parameters: [String: String])?
        var fallback: (route: Route, parameters: [String: String])?
        var allowed: [String] = []
        for route in routes {
            guard let parameters = route.pattern.match(decoded) else { continue }
            if !allowed.contains(route.method) { allowed.append(route.method) }
            if route.method == method {
                if best.map({ route.pattern.isMoreSpecific(than: $0.route.pattern) }) ?? true {
                    best = (route, parameters)
                }
            } else if method == "HEAD" && route.method == "GET" {
                if fallback.map({ route.pattern.isMoreSpecific(than: $0.route.pattern) }) ?? true {
                    fallback = (route, parameters)
                }
            }
        }
        if let found = best ?? fallback {
            return .found(found.route, parameters: found.parameters)
        }
        if allowed.isEmpty { return .notFound(renderer: renderer(for: decoded)) }
        if allowed.contains("GET") && !allowed.contains("HEAD") { allowed.append("HEAD") }
        return .methodNotAllowed(allowed: allowed, renderer: renderer(for: decoded))
    }

    /// The renderer for an answer the listener gives before routing (a request the parser
    /// refused, a timeout): the family's whose prefix covers `target`, the request-target as
    /// received (origin or absolute form, possibly malformed), else the default.
    public func renderer(forTarget target: String?) -> any HTTPErrorRenderer {
        guard let target else { return defaultRenderer }
        var path = Substring(target)
        for scheme in ["http://", "https://"] where path.lowercased().hasPrefix(scheme) {
            path = path.dropFirst(scheme.count)
            path = path[(path.firstIndex { $0 == "/" || $0 == "?" } ?? path.endIndex)...]
        }
        path = path[..<(path.firstIndex(of: "?") ?? path.endIndex)]
        guard path.hasPrefix("/") else { return defaultRenderer }
        let segments = RoutePattern.split(String(path)).map { PercentDecoding.decode($0, plusAsSpace: false) ?? String($0) }
        return renderer(for: segments)
    }

    /// The renderer of the most specific group whose prefix covers the path.
    func renderer(for decodedSegments: [String]) -> any HTTPErrorRenderer {
        var chosen: (depth: Int, renderer: any HTTPErrorRenderer)?
        for scope in scopes where scope.prefix.isPrefix(of: decodedSegments) {
            if scope.prefix.segments.count > (chosen?.depth ?? -1) {
                chosen = (scope.prefix.segments.count, scope.renderer)
            }
        }
        return chosen?.renderer ?? defaultRenderer
    }

    /// Runs the matched handler (or produces the routing error) and renders anything thrown.
    /// `request.pathParameters` and `routePattern` are filled from the match.
    public func respond(to request: Request, match: RouteMatch) -> RoutedResponse {
        var request = request
        let renderer: any HTTPErrorRenderer
        let error: any Error
        switch match {
        case .found(let route, let parameters):
            request.pathParameters = parameters
            request.routePattern = route.pattern.description
            return Self.complete(request, route: route) { try route.handler(request) }
        case .methodNotAllowed(let allowed, let groupRenderer):
            var response = groupRenderer.render(.methodNotAllowed(), request: request)
            response.headers.set("Allow", allowed.joined(separator: ", "))
            return RoutedResponse(response: response, routePattern: nil, failure: nil)
        case .notFound(let groupRenderer):
            renderer = groupRenderer
            error = HTTPError.notFound()
        case .badPath(let groupRenderer):
            renderer = groupRenderer
            error = HTTPError.badRequest("Invalid encoding in path", code: "INVALID_PATH")
        }
        var response = renderer.render(error.asHTTPError, request: request)
        if case .badPath = match { response.headers.set("Connection", "close") }  // malformed: close
        return RoutedResponse(response: response, routePattern: request.routePattern,
                              failure: error.isUnexpected ? String(reflecting: error) : nil)
    }

    /// What a matched route's handler (ordinary or loop) produced, as the response to send: the
    /// response (with `Content-Length` for HEAD), or what it threw rendered by the route's renderer.
    static func complete(_ request: Request, route: Route, _ body: () throws -> Response) -> RoutedResponse {
        do {
            var response = try body()
            if request.method == "HEAD" { response.headers.set("Content-Length", String(response.body.count)) }
            return RoutedResponse(response: response, routePattern: route.pattern.description, failure: nil)
        } catch {
            return RoutedResponse(response: route.renderer.render(error.asHTTPError, request: request),
                                  routePattern: route.pattern.description,
                                  failure: error.isUnexpected ? String(reflecting: error) : nil)
        }
    }

    /// Resolves and responds in one step: the whole pipeline without a socket, for tests and
    /// for embedding.
    public func respond(to request: Request, rawQuery: String?) -> RoutedResponse {
        respond(to: request, rawQuery: rawQuery, match: resolve(method: request.method, path: request.path))
    }

    /// Decodes `rawQuery` into `request.query` (400 in the route's shape when malformed), then
    /// responds as `respond(to:match:)`.
    public func respond(to request: Request, rawQuery: String?, match: RouteMatch) -> RoutedResponse {
        var request = request
        do {
            request.query = try QueryParameters(decoding: rawQuery)
        } catch {
            let renderer: any HTTPErrorRenderer
            switch match {
            case .found(let route, _): renderer = route.renderer
            case .methodNotAllowed(_, let other), .notFound(let other), .badPath(let other): renderer = other
            }
            var response = renderer.render(error, request: request)
            response.headers.set("Connection", "close")
            return RoutedResponse(response: response, routePattern: nil, failure: nil)
        }
        return respond(to: request, match: match)
    }
}

/// A response with what the access log needs to know about how it came about.
public struct RoutedResponse: Sendable {
    public var response: Response
    /// The matched pattern, nil when nothing matched (metrics label it `unmatched`).
    public var routePattern: String?
    /// The unexpected error behind a generic 500, for the log only.
    public var failure: String?
}
