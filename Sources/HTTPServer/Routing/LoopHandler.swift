/// A route's second handler, tried first, on the event loop, where it must not block: it starts
/// the work (a database statement on the loop's own connection) and answers later through the
/// responder (`.pending`), or returns `.declined` and the route's ordinary handler runs on the
/// worker pool as it would without it. An error it throws is rendered at once.
///
/// The route's middleware is applied through `Middleware.admitOnLoop`; one that cannot decide
/// without blocking declines, and the request goes to the worker pool.
public typealias LoopHandler = @Sendable (Request, LoopResponder) throws -> LoopStart

public enum LoopStart: Sendable {
    /// The responder will be called exactly once.
    case pending
    /// Run the route's ordinary handler on the worker pool instead.
    case declined
}

/// The answer a loop handler owes its request: `respond` with the response (or the error to
/// render), or `fallBack` to have the route's ordinary handler run on the worker pool after all
/// (the loop's resource failed, and trying again elsewhere is safe). One of them, once, on the
/// loop's thread; later calls, and calls after the handler declined or threw, are ignored.
public final class LoopResponder {
    enum Outcome {
        case respond(() throws -> Response)
        case fallBack
    }

    private enum State {
        /// The loop handler is running: an answer given now waits until it returned.
        case starting(early: Outcome?)
        case waiting
        case done
    }

    /// The loop the request is on: its descriptors, its end of turn, its per-loop state.
    public let loop: EventLoopContext
    private let deliver: (Outcome) -> Void
    private var state = State.starting(early: nil)

    init(loop: EventLoopContext, deliver: @escaping (Outcome) -> Void) {
        self.loop = loop
        self.deliver = deliver
    }

    /// Answers with what `body` returns, or with the rendering of what it throws (the route's
    /// renderer, as for its ordinary handler).
    public func respond(_ body: @escaping () throws -> Response) {
        give(.respond(body))
    }

    /// Runs the route's ordinary handler on the worker pool instead.
    public func fallBack() {
        give(.fallBack)
    }

    private func give(_ outcome: Outcome) {
        switch state {
        case .starting(nil): state = .starting(early: outcome)
        case .starting, .done: return
        case .waiting:
            state = .done
            deliver(outcome)
        }
    }

    /// Whether the loop handler answered while it ran.
    var hasEarlyAnswer: Bool {
        if case .starting(.some) = state { return true }
        return false
    }

    /// After the loop handler returned `.pending`: delivers an answer it gave while running.
    func started() {
        guard case .starting(let early) = state else { return }
        state = .waiting
        if let early { give(early) }
    }

    /// After the loop handler declined or threw.
    func disarm() {
        state = .done
    }
}

/// How starting a route's loop handler went.
enum LoopStartResult {
    case pending
    case declined
    /// Answered at once (the handler or a middleware threw).
    case answered(RoutedResponse)
}

extension Router {
    /// Starts `route`'s loop handler for `request`, prepared as `respond(to:rawQuery:match:)`
    /// prepares it (query decoded, path parameters set). A query string that does not decode is
    /// declined: the worker path answers it as it always has.
    func startOnLoop(_ request: Request, rawQuery: String?, route: Route, parameters: [String: String],
                     responder: LoopResponder) -> LoopStartResult {
        guard let loopHandler = route.loopHandler, let query = try? QueryParameters(decoding: rawQuery) else {
            return .declined
        }
        var request = request
        request.query = query
        request.pathParameters = parameters
        request.routePattern = route.pattern.description
        do {
            switch try loopHandler(request, responder) {
            case .pending: return .pending
            case .declined: return .declined
            }
        } catch {
            return .answered(Self.complete(request, route: route) { throw error })
        }
    }
}
