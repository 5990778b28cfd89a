import Foundation
import HTTPServer
import Timekeeping
import TradingCore

extension ESMSimulator {
    func makeRouter() -> Router {
        var router = Router()
        let faults = ClosureMiddleware { [self] request, next in
            handlers.enter()
            defer { handlers.leave() }
            let (latency, failure) = state.withLock { s -> (Duration, Bool) in
                s.stats.requests += 1
                let failure = s.knobs.failureRate > 0 && Double.random(in: 0..<1) < s.knobs.failureRate
                if failure { s.stats.injectedFailures += 1 }
                return (s.knobs.latency, failure)
            }
            if latency > .zero { handlers.sleep(latency) }
            if failure {
                return try Response.json(["error": "service_unavailable", "message": "simulated ESM failure"], status: 503)
            }
            return try next(request)
        }
        router.group("/oauth", middleware: [faults]) { group in
            group.post("/token") { [self] request in try token(request) }
        }
        router.group("/plants", middleware: [faults]) { group in
            group.get("") { [self] request in
                try authorize(request)
                return try Response.json(["plants": plants])
            }
            group.get("/{id}/config") { [self] request in
                try authorize(request)
                let id = try request.pathParameter("id")
                guard let config = config(forPlant: id) else { throw Self.unknownPlant(id) }
                return try Response.json(config)
            }
            group.post("/{id}/config") { [self] request in
                try authorize(request)
                return try updateConfig(request, plantID: try request.pathParameter("id"))
            }
            group.post("/{id}/commands") { [self] request in
                try authorize(request)
                return try command(request, plantID: try request.pathParameter("id"))
            }
        }
        router.get("/_sim/commands") { [self] _ in try Response.json(["commands": commands]) }
        router.get("/_sim/stats") { [self] _ in try Response.json(stats) }
        router.post("/_sim/revoke-tokens") { [self] _ in
            revokeAllTokens()
            return Response.empty()
        }
        router.post("/_sim/knobs") { [self] request in
            let knobs = try request.decodeJSON(KnobUpdate.self)
            if let value = knobs.latencyMs { latency = .milliseconds(value) }
            if let value = knobs.failureRate { failureRate = value }
            if let value = knobs.tokenTtlSeconds { tokenTTL = .seconds(value) }
            if let value = knobs.ackDelayMs { ackDelay = .milliseconds(value) }
            if let value = knobs.rejectRate { rejectRate = value }
            return Response.empty()
        }
        return router
    }

    static func seconds(_ duration: Duration) -> Double {
        duration.inSeconds
    }

    static func unknownPlant(_ id: String) -> HTTPError {
        HTTPError(status: 404, code: "PLANT_NOT_FOUND", message: "plant \(id.prefix(64)) is not known to the ESM")
    }

    /// `Authorization: Bearer <token>` with a token this simulator issued and that has not expired.
    func authorize(_ request: Request) throws(HTTPError) {
        let header = request.headers["Authorization"] ?? ""
        let token = header.hasPrefix("Bearer ") ? String(header.dropFirst(7)) : ""
        guard state.withLock({ $0.isValid(token: token) }) else {
            throw HTTPError(status: 401, code: "invalid_token", message: "the access token is missing, unknown or expired")
        }
    }

    /// Client credentials from HTTP Basic (preferred) or from the form body.
    func token(_ request: Request) throws -> Response {
        state.withLock { $0.stats.tokenRequests += 1 }
        let form = Self.parseForm(request.body)
        var clientID = form["client_id"], clientSecret = form["client_secret"]
        if let header = request.headers["Authorization"], header.hasPrefix("Basic "),
           let decoded = Data(base64Encoded: String(header.dropFirst(6))).flatMap({ String(data: $0, encoding: .utf8) }),
           let colon = decoded.firstIndex(of: ":") {
            clientID = Self.formDecode(String(decoded[..<colon]))
            clientSecret = Self.formDecode(String(decoded[decoded.index(after: colon)...]))
        }
        guard form["grant_type"] == "client_credentials" else {
            return try Response.json(["error": "unsupported_grant_type"], status: 400)
        }
        guard clientID == options.clientID, clientSecret == options.clientSecret else {
            return try Response.json(["error": "invalid_client", "error_description": "unknown client or wrong secret"], status: 401)
        }
        let issued = state.withLock { $0.issueToken() }
        return try Response.json(TokenAnswer(access_token: issued.token, token_type: "Bearer", expires_in: issued.expiresIn))
    }

    func updateConfig(_ request: Request, plantID: String) throws -> Response {
        guard config(forPlant: plantID) != nil else { throw Self.unknownPlant(plantID) }
        let update = try request.decodeJSON(ConfigUpdate.self)
        let violation = SimulatedConfigRules.violation(in: update.timeConfigs)
        let validateOnly = update.validateOnly ?? false
        let result = state.withLock { s -> ESMConfigResult in
            let code = s.takeRequestCode()
            if let violation {
                return ESMConfigResult(requestCode: code, resultCode: "INVALID_CONFIG", isError: true, isTerminal: true,
                                       message: violation)
            }
            if validateOnly {
                return ESMConfigResult(requestCode: code, resultCode: "VALID", isError: false, isTerminal: true,
                                       message: "configuration is valid; nothing applied")
            }
            s.stats.configUpdates += 1
            var config = s.configs[plantID]!
            config.timeConfigs = update.timeConfigs
            config.version += 1
            s.configs[plantID] = config
            return ESMConfigResult(requestCode: code, resultCode: "APPLIED", isError: false, isTerminal: true,
                                   message: "configuration applied as version \(config.version)")
        }
        return try Response.json(result)
    }

    func command(_ request: Request, plantID: String) throws -> Response {
        guard config(forPlant: plantID) != nil else { throw Self.unknownPlant(plantID) }
        let body = try request.decodeJSON(CommandBody.self)
        let key = request.headers["Idempotency-Key"] ?? body.messageId
        guard !key.isEmpty, !body.correlationId.isEmpty else {
            throw HTTPError.badRequest("messageId/Idempotency-Key and correlationId are required")
        }
        // Like an ESM that serialises requests per key: while the first request with a key is in
        // progress, another one with the same key is answered 409, and afterwards 202 duplicate.
        enum Arrival { case conflict, duplicate, first(hold: Duration) }
        let arrival = state.withLock { s -> Arrival in
            s.stats.commandsReceived += 1
            let hold = s.commandDelays.isEmpty ? Duration.zero : s.commandDelays.removeFirst()
            if var known = s.commands[key] {
                known.received += 1
                let inProgress = s.keysInProgress.contains(key)
                if inProgress {
                    known.conflicts += 1
                    s.stats.commandConflicts += 1
                }
                s.commands[key] = known
                return inProgress ? .conflict : .duplicate
            }
            s.commands[key] = ESMSimulatedCommand(plantId: plantID, messageId: body.messageId, correlationId: body.correlationId,
                                                  commandType: body.commandType, received: 1, executed: 0, conflicts: 0)
            s.keysInProgress.insert(key)
            return .first(hold: hold)
        }
        switch arrival {
        case .conflict:
            return try Response.json(["error": "conflict", "message": "a request with this Idempotency-Key is still in progress"],
                                     status: 409)
        case .duplicate:
            return try Response.json(CommandAnswer(accepted: true, duplicate: true, correlationId: body.correlationId), status: 202)
        case .first(let hold):
            if hold > .zero { handlers.sleep(hold) }
        }
        let outcome = state.withLock { s -> (duplicate: Bool, prefix: String?, reject: Bool, delay: Duration) in
            s.keysInProgress.remove(key)
            s.commands[key]?.executed = 1
            s.stats.commandsExecuted += 1
            let reject = s.knobs.rejectRate > 0 && Double.random(in: 0..<1) < s.knobs.rejectRate
            return (false, s.queuePrefixes[plantID] ?? options.queuePrefix, reject, s.knobs.ackDelay)
        }
        if !outcome.duplicate {
            if let prefix = outcome.prefix {
                let routingKey = "\(prefix).command-acks"
                if outcome.reject {
                    acks.enqueue(ESMCommandAck(correlationId: body.correlationId, status: .rejected,
                                               reason: "simulated rejection by the ESM"), routingKey: routingKey, after: .zero)
                } else {
                    acks.enqueue(ESMCommandAck(correlationId: body.correlationId, status: .accepted), routingKey: routingKey, after: .zero)
                    acks.enqueue(ESMCommandAck(correlationId: body.correlationId, status: .executed,
                                               executedAt: Self.timestamp(after: outcome.delay)),
                                 routingKey: routingKey, after: outcome.delay)
                }
                state.withLock { $0.stats.acksPublished += outcome.reject ? 1 : 2 }
            } else {
                logger.warning("esm-sim has no queue prefix for the plant; acknowledgement not published", ["plant.id": plantID])
            }
        }
        return try Response.json(CommandAnswer(accepted: true, duplicate: outcome.duplicate, correlationId: body.correlationId),
                                 status: 202)
    }

    /// RFC 3339 with milliseconds, without a Foundation formatter (a new ISO8601DateFormatter per
    /// ack made ICU a large share of the simulator's CPU per command in the relay benchmark).
    static func timestamp(after delay: Duration) -> String {
        TelemetryTimestamp(microsecondsSinceEpoch: Int64(((Date().timeIntervalSince1970 + seconds(delay)) * 1e6).rounded()))
            .rfc3339Milliseconds
    }

    static func parseForm(_ body: [UInt8]) -> [String: String] {
        var fields: [String: String] = [:]
        for pair in String(decoding: body, as: UTF8.self).split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            fields[formDecode(String(parts[0]))] = parts.count > 1 ? formDecode(String(parts[1])) : ""
        }
        return fields
    }

    static func formDecode(_ text: String) -> String {
        text.replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? text
    }
}

private struct TokenAnswer: Encodable {
    let access_token: String
    let token_type: String
    let expires_in: Int
}

private struct ConfigUpdate: Decodable {
    let timeConfigs: [ESMTimeConfig]
    let validateOnly: Bool?
}

private struct CommandBody: Decodable {
    let messageId: String
    let correlationId: String
    let commandType: String
}

private struct CommandAnswer: Encodable {
    let accepted: Bool
    let duplicate: Bool
    let correlationId: String
}

private struct KnobUpdate: Decodable {
    let latencyMs: Int?
    let failureRate: Double?
    let tokenTtlSeconds: Int?
    let ackDelayMs: Int?
    let rejectRate: Double?
}
