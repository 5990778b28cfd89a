/// Handles a request; may block (it runs on the worker pool unless the route says otherwise) and
/// may throw (the route's renderer turns the error into a response).
public typealias Handler = @Sendable (Request) throws -> Response

/// Wraps the handlers of the routes it is given to (authentication, per-family checks...).
public protocol Middleware: Sendable {
    func handle(_ request: Request, next: Handler) throws -> Response

    /// What the middleware does before a route's loop handler (`LoopHandler`), on the event
    /// loop, where it must not block: the request to pass on, nil when it cannot decide without
    /// blocking (the request then goes to the worker pool, through `handle`), or a thrown error
    /// (rendered at once). The default declines.
    func admitOnLoop(_ request: Request) throws -> Request?
}

extension Middleware {
    public func admitOnLoop(_ request: Request) throws -> Request? { nil }
}

/// A middleware written as a closure.
public struct ClosureMiddleware: Middleware {
    private let body: @Sendable (Request, Handler) throws -> Response

    public init(_ body: @escaping @Sendable (Request, Handler) throws -> Response) {
        self.body = body
    }

    public func handle(_ request: Request, next: Handler) throws -> Response {
        try body(request, next)
    }
}

extension Array where Element == any Middleware {
    /// The handler with every middleware around it, the first one outermost.
    func wrapping(_ handler: @escaping Handler) -> Handler {
        reversed().reduce(handler) { next, middleware in
            { request in try middleware.handle(request, next: next) }
        }
    }

    /// The loop handler behind every middleware's `admitOnLoop`, the first one first; declined
    /// as soon as one of them declines.
    func admittingOnLoop(_ handler: @escaping LoopHandler) -> LoopHandler {
        let chain = self
        return { request, responder in
            var request = request
            for middleware in chain {
                guard let admitted = try middleware.admitOnLoop(request) else { return .declined }
                request = admitted
            }
            return try handler(request, responder)
        }
    }
}
