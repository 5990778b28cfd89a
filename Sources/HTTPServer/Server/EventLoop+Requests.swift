// From parsed requests to queued responses, on the loop thread.

extension EventLoop {
    /// Parses what is buffered and handles requests one at a time, so responses leave in order;
    /// at most `requestsPerTurn` of them, then the connection waits for its next turn.
    func processInput(_ connection: Connection, now: UInt64) {
        var handled = 0
        while case .reading = connection.phase {
            if handled == Self.requestsPerTurn {
                deferInput(connection)
                return
            }
            if connection.pendingOutputBytes > core.limits.maxPendingOutputBytes {
                // The client is not reading its responses: stop taking requests until it does.
                if !connection.readPaused {
                    connection.readPaused = true
                    connection.pausedForOutput = true
                    epoll.modify(connection.fd, events: connection.interest)
                }
                return
            }
            switch connection.parser.feed(EmptyCollection<UInt8>()) {
            case .needMore:
                if connection.parser.isIdle {
                    connection.headStartedAt = nil
                } else if connection.parser.isReadingHead {
                    if connection.headStartedAt == nil { connection.headStartedAt = now }
                } else if connection.bodyStartedAt == nil {
                    connection.bodyStartedAt = now
                }
                return
            case .sendContinue:
                connection.output.append(contentsOf: ResponseSerializer.continueResponse)
                connection.lastWriteProgress = now
            case .request(let parsed):
                connection.headStartedAt = nil
                connection.bodyStartedAt = nil
                handled += 1
                dispatch(parsed, on: connection, now: now)
            case .reject(let failure):
                let error = HTTPError(status: failure.status, code: Self.code(for: failure.status), message: Self.message(failure.reason))
                respondWithoutRequest(connection, error: error, failure: failure.reason, target: failure.target, now: now)
                return
            }
        }
    }

    /// Routes on the loop (cheap), then runs the handler inline for event-loop routes and routing
    /// errors, tries the route's loop handler when it has one, or runs it on the worker pool.
    private func dispatch(_ parsed: ParsedRequest, on connection: Connection, now: UInt64) {
        connection.sequence += 1
        let headers = HTTPHeaders(parsed.headers)
        let requestID = RequestID.choose(clientValue: headers["X-Request-Id"])
        let request = Request(method: parsed.method, path: parsed.path, headers: headers, body: parsed.body,
                              remoteAddress: connection.remoteAddress, requestID: requestID)
        let router = core.router
        let match = router.resolve(method: parsed.method, path: parsed.path)
        let inFlight = Connection.InFlight(
            sequence: connection.sequence, requestID: requestID, method: parsed.method, path: parsed.path,
            minorVersion: parsed.minorVersion, keepAlive: parsed.keepAlive, startedAt: now,
            deadline: now + core.limits.handlerTimeBudget.nanoseconds, renderer: Self.renderer(of: match),
            requestBodyBytes: parsed.body.count, routePattern: Self.routePattern(of: match))
        let query = parsed.query
        guard case .found(let route, let parameters) = match, route.execution == .workerPool else {
            finish(connection, inFlight, router.respond(to: request, rawQuery: query, match: match), now: now)
            return
        }
        connection.phase = .handling(inFlight)
        connection.handledBodyBytes = parsed.body.count
        holdRequestBytes(connection)   // the body moved from the parser to the request: no growth
        let fd = connection.fd, connectionID = connection.id, sequence = connection.sequence
        let job = WorkerJob(fd: fd, connectionID: connectionID, sequence: sequence, request: request, rawQuery: query, match: match,
                            deadline: inFlight.deadline)
        if route.loopHandler != nil {
            let responder = LoopResponder(loop: context) { [self] outcome in
                switch outcome {
                case .respond(let body):
                    let routed = Router.complete(job.request, route: route, body)
                    complete(fd: fd, connectionID: connectionID, sequence: sequence, routed, now: SystemInfo.now())
                case .fallBack:
                    let now = SystemInfo.now()
                    guard !submit(job), let current = current(fd: fd, connectionID: connectionID, sequence: sequence) else { return }
                    complete(fd: fd, connectionID: connectionID, sequence: sequence, busy(current.inFlight, job), now: now)
                }
            }
            switch router.startOnLoop(request, rawQuery: query, route: route, parameters: parameters, responder: responder) {
            case .pending:
                // An answer given while the handler ran is delivered after this turn's events, not
                // from inside this connection's parsing.
                if responder.hasEarlyAnswer { context.atEndOfTurn { responder.started() } } else { responder.started() }
                return
            case .answered(let routed):
                responder.disarm()
                finish(connection, inFlight, routed, now: now)
                return
            case .declined:
                responder.disarm()
            }
        }
        if !submit(job) { finish(connection, inFlight, busy(inFlight, job), now: now) }
    }

    /// What a worker needs to run a request's ordinary handler and bring the answer back.
    struct WorkerJob: Sendable {
        let fd: Int32
        let connectionID: UInt64
        let sequence: UInt64
        let request: Request
        let rawQuery: String?
        let match: RouteMatch
        /// The handler budget's end: a job still queued then is dropped unrun (its client got 503).
        let deadline: UInt64
    }

    /// Queues the route's ordinary handler on the worker pool; false when its queue is full.
    func submit(_ job: WorkerJob) -> Bool {
        let router = core.router
        return core.pool.submit(deadline: job.deadline) { [self] in
            let routed = router.respond(to: job.request, rawQuery: job.rawQuery, match: job.match)
            post(.completed(fd: job.fd, connectionID: job.connectionID, sequence: job.sequence, routed))
        }
    }

    /// The 503 for a request the worker queue refused.
    func busy(_ inFlight: Connection.InFlight, _ job: WorkerJob) -> RoutedResponse {
        let error = HTTPError.serviceUnavailable("Server busy, retry later", code: "SERVER_BUSY")
        return RoutedResponse(response: inFlight.renderer.render(error, request: job.request),
                              routePattern: inFlight.routePattern, failure: "worker queue full")
    }

    /// Delivers a handler's answer to its connection, unless the connection timed out, closed or
    /// moved on meanwhile (the answer then has nowhere to go); then reads on and writes.
    func complete(fd: Int32, connectionID: UInt64, sequence: UInt64, _ routed: RoutedResponse, now: UInt64) {
        guard let current = current(fd: fd, connectionID: connectionID, sequence: sequence) else { return }
        finish(current.connection, current.inFlight, routed, now: now)
        if case .reading = current.connection.phase { processInput(current.connection, now: now) }
        flush(current.connection, now: now)
    }

    /// The connection still waiting for the answer to request `sequence`, if any.
    private func current(fd: Int32, connectionID: UInt64, sequence: UInt64) -> (connection: Connection, inFlight: Connection.InFlight)? {
        guard let connection = connections[fd], connection.id == connectionID,
              case .handling(let inFlight) = connection.phase, inFlight.sequence == sequence else { return nil }
        return (connection, inFlight)
    }

    /// Queues the response, reports the access record, and decides whether the connection stays.
    func finish(_ connection: Connection, _ inFlight: Connection.InFlight, _ routed: RoutedResponse,
                now: UInt64, forceClose: Bool = false) {
        let handlerWantsClose = routed.response.headers.values(for: "Connection")
            .contains { HTTPSyntax.lowercasedList($0).contains("close") }
        let keepAlive = inFlight.keepAlive && !forceClose && !draining && !connection.peerClosed && !handlerWantsClose
        let context = ResponseSerializer.Context(requestID: inFlight.requestID, keepAlive: keepAlive,
                                                 minorVersion: inFlight.minorVersion, isHead: inFlight.method == "HEAD")
        let before = connection.output.count
        ResponseSerializer.write(routed.response, context: context, date: date.current(),
                                 serverName: core.configuration.serverName, into: &connection.output)
        if before == connection.outputOffset { connection.lastWriteProgress = now }
        connection.phase = keepAlive ? .reading : .closing
        connection.handledBodyBytes = 0
        holdRequestBytes(connection)
        connection.idleSince = now
        if keepAlive && connection.readPaused {
            connection.readPaused = false
            epoll.modify(connection.fd, events: connection.interest)
        }
        core.hooks.requestCompleted?(AccessRecord(
            requestID: inFlight.requestID, method: inFlight.method, path: inFlight.path,
            routePattern: routed.routePattern, status: routed.response.status,
            duration: .nanoseconds(Int64(now &- inFlight.startedAt)), remoteAddress: connection.remoteAddress,
            requestBodyBytes: inFlight.requestBodyBytes, responseBodyBytes: routed.response.body.count,
            failure: routed.failure))
    }

    /// Answers a request that never parsed (or a refused connection) and closes after it, in the
    /// envelope of the family whose prefix covers `target` (the request-target, when known).
    func respondWithoutRequest(_ connection: Connection, error: HTTPError, failure: String, target: String? = nil,
                               now: UInt64) {
        let renderer = core.router.renderer(forTarget: target)
        let inFlight = Connection.InFlight(
            sequence: connection.sequence, requestID: RequestID.generate(), method: "-", path: target ?? "-", minorVersion: 1,
            keepAlive: false, startedAt: now, deadline: now, renderer: renderer, requestBodyBytes: 0,
            routePattern: nil)
        let response = renderer.render(error, request: nil)
        finish(connection, inFlight, RoutedResponse(response: response, routePattern: nil, failure: failure),
               now: now, forceClose: true)
    }

    /// The client was too slow sending its request: 408, then close.
    func requestTimedOut(_ connection: Connection, reason: String, now: UInt64) {
        let error = HTTPError(status: 408, code: "REQUEST_TIMEOUT", message: "Request not received in time")
        respondWithoutRequest(connection, error: error, failure: reason, target: connection.parser.pendingTarget, now: now)
        flush(connection, now: now)
    }

    /// The handler overran its budget: the client gets 503 now; the handler's late result is
    /// dropped when it arrives (the sequence no longer matches).
    func handlerTimedOut(_ connection: Connection, _ inFlight: Connection.InFlight, now: UInt64) {
        let error = HTTPError(status: 503, code: "HANDLER_TIMEOUT", message: "The request took too long to process")
        let response = inFlight.renderer.render(error, request: nil)
        finish(connection, inFlight, RoutedResponse(response: response, routePattern: inFlight.routePattern,
                                                    failure: "handler time budget exceeded"),
               now: now, forceClose: true)
        flush(connection, now: now)
    }

    static func renderer(of match: RouteMatch) -> any HTTPErrorRenderer {
        switch match {
        case .found(let route, _): route.renderer
        case .methodNotAllowed(_, let renderer), .notFound(let renderer), .badPath(let renderer): renderer
        }
    }

    static func routePattern(of match: RouteMatch) -> String? {
        if case .found(let route, _) = match { return route.pattern.description }
        return nil
    }

    /// The parser's reason as a sentence for clients ("Request body too large").
    static func message(_ reason: String) -> String {
        reason.prefix(1).uppercased() + reason.dropFirst()
    }

    static func code(for status: Int) -> String {
        switch status {
        case 408: "REQUEST_TIMEOUT"
        case 413: "PAYLOAD_TOO_LARGE"
        case 417: "EXPECTATION_FAILED"
        case 431: "HEADERS_TOO_LARGE"
        case 501: "NOT_IMPLEMENTED"
        case 505: "HTTP_VERSION_NOT_SUPPORTED"
        default: "BAD_REQUEST"
        }
    }
}
