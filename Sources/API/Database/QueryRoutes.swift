import HTTPServer
import Postgres

extension RouteRegistering {
    /// A GET answered by one read-only statement: `statement` builds it from the request (after
    /// the group's middleware), `respond` turns its value into the response. The route runs on
    /// the event loop through `database` when the loop's connections can take the statement,
    /// otherwise on the worker pool through `database.pool`; both ways run the same statement
    /// and the same rendering, and what either throws is rendered by the route's renderer.
    public mutating func get<Value>(_ pattern: String, database: LoopDatabase,
                                    statement: @escaping @Sendable (Request) throws -> PostgresQuery<Value>,
                                    respond: @escaping @Sendable (Request, Value) throws -> Response) {
        let onLoop: LoopHandler = { request, responder in
            let query = try statement(request)
            let sent = database.send(query, on: responder.loop) { outcome in
                switch outcome {
                case .value(let value): responder.respond { try respond(request, value) }
                case .failed(let error): responder.respond { throw error }
                case .retryElsewhere: responder.fallBack()
                }
            }
            return sent ? .pending : .declined
        }
        get(pattern, onLoop: onLoop) { request in
            let query = try statement(request)
            return try respond(request, try database.run(query))
        }
    }
}
