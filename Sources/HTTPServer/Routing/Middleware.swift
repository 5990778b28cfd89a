/// Handles a request; may block (it runs on the worker pool unless the route says otherwise) and
/// may throw (the route's renderer turns the error into a response).
public typealias Handler = @Sendable (Request) throws -> Response

/// Wraps the handlers of the routes it is given to (authentication, per-family checks...).
public protocol Middleware: Sendable {
    func handle(_ request: Request, next: Handler) throws -> Response
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
}
