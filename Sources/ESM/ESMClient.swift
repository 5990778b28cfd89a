import Foundation
import Observability
import Synchronization
import Timekeeping
import TradingCore

/// The ESM's HTTP API (DESIGN §7): OAuth2 client credentials, plants, plant configuration and
/// commands. Blocking calls, safe from many threads at once; every call goes through the outbound
/// URL guard right before it connects. Errors are `ESMError`; the secret and tokens never appear
/// in them or in log lines.
public final class ESMClient: Sendable, CustomStringConvertible {
    public let configuration: ESMClientConfiguration
    /// The base URL as the guard normalised it.
    public let baseURL: ValidatedURL
    let http: OutboundHTTPClient
    let tokens: ESMTokenCache
    let logger: Logger
    /// The base path without a trailing slash (`""` or `/prefix`).
    private let basePath: String
    private let tokenFetches = Atomic<Int>(0)
    /// Calls in progress (`ESMClientConfiguration.maxConcurrentCalls`).
    private let callsInProgress = Atomic<Int>(0)
    private let metrics: ESMMetrics?

    /// - Throws: `ESMError.forbiddenAddress` when the guard refuses `baseURL`,
    ///   `.invalidConfiguration` when it carries a query or the credentials are empty.
    public convenience init(configuration: ESMClientConfiguration, urlGuard: OutboundURLGuard,
                            logger: Logger = .silent, metrics: ESMMetrics? = nil) throws(ESMError) {
        try self.init(configuration: configuration, client: OutboundHTTPClient(urlGuard: urlGuard), logger: logger, metrics: metrics)
    }

    /// A client whose calls go through `client` (its URL guard, trust store and connection pool,
    /// shared with whoever else uses it).
    /// - Throws: as `init(configuration:urlGuard:logger:)`.
    public init(configuration: ESMClientConfiguration, client: OutboundHTTPClient,
                logger: Logger = .silent, metrics: ESMMetrics? = nil) throws(ESMError) {
        let urlGuard = client.urlGuard
        guard !configuration.clientID.isEmpty, !configuration.clientSecret.isEmpty else {
            throw ESMError(.invalidConfiguration, message: "the ESM client id and secret must both be set")
        }
        let validated: ValidatedURL
        do {
            validated = try urlGuard.check(url: configuration.baseURL)
        } catch let error as OutboundURLError {
            if let detail = error.detail { logger.warning("ESM URL refused by the outbound URL guard", ["detail": detail]) }
            throw ESMError(error.kind == .unresolvable ? .unreachable : .forbiddenAddress,
                           message: "the ESM URL is refused: \(error.reason)")
        } catch {
            throw ESMError(.forbiddenAddress, message: "the ESM URL is refused")
        }
        guard !validated.pathAndQuery.contains("?") else {
            throw ESMError(.invalidConfiguration, message: "the ESM URL must not carry a query")
        }
        self.configuration = configuration
        baseURL = validated
        basePath = validated.pathAndQuery.hasSuffix("/") ? String(validated.pathAndQuery.dropLast()) : validated.pathAndQuery
        http = client
        tokens = ESMTokenCache(refreshFraction: configuration.tokenRefreshFraction)
        self.logger = logger.with(["esm.host": validated.authority])
        self.metrics = metrics
    }

    public var description: String { "ESMClient(\(baseURL.normalized), clientID: \(configuration.clientID))" }

    /// How many token requests this client made (for metrics and tests).
    public var tokenRequestCount: Int { tokenFetches.load(ordering: .relaxed) }

    func tokenFetchHappened() { tokenFetches.add(1, ordering: .relaxed) }

    // MARK: Calls

    /// `GET /plants`. Accepts a JSON array or `{"plants": [...]}`.
    public func listPlants() throws(ESMError) -> [ESMPlant] {
        let response = try perform(method: "GET", path: "/plants", idempotent: true)
        if let plants = try? JSONDecoder().decode([ESMPlant].self, from: Data(response.body)) { return plants }
        return try decode(PlantList.self, from: response, what: "the plant list").plants
    }

    /// `GET /plants/{id}/config`.
    public func plantConfig(plantID: String) throws(ESMError) -> ESMPlantConfig {
        let response = try perform(method: "GET", path: "/plants/\(Self.escape(plantID))/config", idempotent: true)
        return try decode(ESMPlantConfig.self, from: response, what: "the plant configuration")
    }

    /// `POST /plants/{id}/config {timeConfigs, validateOnly}`. A refusal of the blocks comes back as
    /// a result with `isError` (also when the ESM sends it with a 4xx status); other failures throw.
    /// Retried only when validate-only or when the request certainly never left.
    public func updatePlantConfig(plantID: String, timeConfigs: [ESMTimeConfig],
                                  validateOnly: Bool) throws(ESMError) -> ESMConfigResult {
        let body: [UInt8]
        do {
            body = Array(try JSONEncoder().encode(ConfigUpdate(timeConfigs: timeConfigs, validateOnly: validateOnly)))
        } catch {
            throw ESMError(.invalidConfiguration, message: "the time blocks could not be encoded as JSON")
        }
        let path = "/plants/\(Self.escape(plantID))/config"
        let response = try perform(method: "POST", path: path, body: body, idempotent: validateOnly, returningClientErrors: true)
        if (400..<500).contains(response.status) {
            if let result = try? JSONDecoder().decode(ESMConfigResult.self, from: Data(response.body)) { return result }
            throw statusError(response, method: "POST", path: path, secrets: [])
        }
        return try decode(ESMConfigResult.self, from: response, what: "the configuration result")
    }

    /// `POST /plants/{id}/commands` with `Idempotency-Key: <idempotencyKey>`; the ESM answers 202 and
    /// acknowledges later over AMQP. Retried like a GET, since the key makes a repeat harmless.
    @discardableResult
    public func sendCommand(plantID: String, command: ESMCommand) throws(ESMError) -> ESMCommandReceipt {
        guard (try? JSONSerialization.jsonObject(with: Data(command.payloadJSON), options: [.fragmentsAllowed])) != nil else {
            throw ESMError(.invalidConfiguration, message: "the command payload is not valid JSON")
        }
        guard !command.idempotencyKey.isEmpty, command.idempotencyKey.utf8.allSatisfy({ $0 >= 0x20 && $0 != 0x7f }) else {
            throw ESMError(.invalidConfiguration, message: "the command's idempotency key is empty or has control characters")
        }
        var body = Array("{\"messageId\":".utf8) + Self.jsonString(command.messageId)
        body += Array(",\"correlationId\":".utf8) + Self.jsonString(command.correlationId)
        body += Array(",\"commandType\":".utf8) + Self.jsonString(command.commandType)
        body += Array(",\"payload\":".utf8) + command.payloadJSON
        if let validUntil = command.validUntil { body += Array(",\"validUntil\":".utf8) + Self.jsonString(validUntil) }
        body += Array("}".utf8)
        let response = try perform(method: "POST", path: "/plants/\(Self.escape(plantID))/commands", body: body,
                                   idempotent: true, extraHeaders: [("Idempotency-Key", command.idempotencyKey)])
        let duplicate = (try? JSONDecoder().decode(CommandAnswer.self, from: Data(response.body)))?.duplicate ?? false
        return ESMCommandReceipt(status: response.status, isDuplicate: duplicate)
    }

    // MARK: Plumbing

    /// Sends one authorised request with the retry rules; returns a 2xx answer (or, with
    /// `returningClientErrors`, a 4xx other than 401) or throws.
    func perform(method: String, path: String, body: [UInt8] = [], idempotent: Bool,
                 extraHeaders: [(String, String)] = [], returningClientErrors: Bool = false) throws(ESMError) -> HTTPClientResponse {
        guard callsInProgress.add(1, ordering: .relaxed).newValue <= configuration.maxConcurrentCalls else {
            callsInProgress.subtract(1, ordering: .relaxed)
            metrics?.recordRefusal(method: method, path: path, kind: .busy)
            throw ESMError(.busy, message: "\(configuration.maxConcurrentCalls) calls to the ESM at \(baseURL.authority) are in progress "
                           + "already; \(method) \(path) was not sent (retry later)")
        }
        defer { callsInProgress.subtract(1, ordering: .relaxed) }
        let deadline = ContinuousClock.now + configuration.callDeadline
        var attempt = 1
        var renewedAfter401 = false
        while true {
            let token = try tokens.token { () throws(ESMError) -> (value: String, lifetime: Duration) in
                try fetchToken(until: deadline)
            }
            var headers: [(name: String, value: String)] = [("Authorization", "Bearer \(token)"), ("Accept", "application/json")]
            if !body.isEmpty { headers.append(("Content-Type", "application/json")) }
            for (name, value) in extraHeaders { headers.append((name, value)) }
            let outcome = exchange(method: method, path: path, headers: headers, body: body, secrets: [token], until: deadline)
            switch outcome {
            case .success(let response) where response.status == 401 && !renewedAfter401:
                tokens.invalidate(token)
                renewedAfter401 = true
                logger.info("ESM refused the access token; fetching a new one", ["esm.path": path])
                continue
            case .success(let response) where response.status == 401:
                throw ESMError(.unauthorized, status: 401, message: "the ESM refused a freshly issued access token for \(method) \(path)",
                               esmReason: reason(in: response, secrets: [token]))
            case .success(let response):
                if (200..<300).contains(response.status) { return response }
                if returningClientErrors && (400..<500).contains(response.status) && response.status != 429 { return response }
                let error = statusError(response, method: method, path: path, secrets: [token])
                if error.isRetriable && idempotent && attempt < configuration.maxAttempts,
                   backOff(after: attempt, error: error, path: path, until: deadline) {
                    attempt += 1
                    continue
                }
                throw error
            case .failure(let failure):
                if failure.error.isRetriable && (idempotent || !failure.mayHaveBeenSent) && attempt < configuration.maxAttempts,
                   backOff(after: attempt, error: failure.error, path: path, until: deadline) {
                    attempt += 1
                    continue
                }
                throw failure.error
            }
        }
    }

    struct TransportFailure: Error {
        let error: ESMError
        let mayHaveBeenSent: Bool
    }

    /// One HTTP exchange, cut short at `deadline`, timed and counted in `metrics`; transport
    /// failures become `ESMError`s.
    func exchange(method: String, path: String, headers: [(name: String, value: String)], body: [UInt8],
                  secrets: [String], until deadline: ContinuousClock.Instant) -> Result<HTTPClientResponse, TransportFailure> {
        let started = ContinuousClock.now
        let outcome = send(method: method, path: path, headers: headers, body: body, secrets: secrets, until: deadline)
        if let metrics {
            let failure: ESMError.Kind? = switch outcome {
            case .success(let response): ESMMetrics.failureKind(status: response.status)
            case .failure(let failure): failure.error.kind
            }
            metrics.record(method: method, path: path, seconds: (ContinuousClock.now - started) / .seconds(1), failure: failure)
        }
        return outcome
    }

    private func send(method: String, path: String, headers: [(name: String, value: String)], body: [UInt8],
                      secrets: [String], until deadline: ContinuousClock.Instant) -> Result<HTTPClientResponse, TransportFailure> {
        let remaining = deadline - ContinuousClock.now
        guard remaining > .zero else {
            return .failure(TransportFailure(error: ESMError(.timeout, message: "the ESM call \(method) \(path) ran out of its "
                                                             + "\(configuration.callDeadline) deadline"), mayHaveBeenSent: false))
        }
        let request = HTTPClientRequest(method: method, url: baseURL, path: basePath + path, headers: headers, body: body)
        let timeouts = OutboundHTTPClient.Timeouts(connect: min(configuration.connectTimeout, remaining),
                                                   request: min(configuration.requestTimeout, remaining))
        do {
            return .success(try http.send(request, timeouts: timeouts))
        } catch {
            if let detail = error.detail {
                logger.warning("ESM call refused", ["esm.path": path, "detail": scrub(detail, secrets: secrets)])
            }
            let kind: ESMError.Kind = switch error.kind {
            case .forbidden: .forbiddenAddress
            case .unreachable: .unreachable
            case .timeout: .timeout
            case .tls, .invalidResponse: .invalidResponse
            case .invalidRequest: .invalidConfiguration
            }
            let text = scrub(error.message, secrets: secrets)
            let message: String = switch kind {
            case .forbiddenAddress: "the ESM address is refused for \(method) \(path): \(text)"
            case .invalidConfiguration: "\(method) \(path) cannot be sent: \(text)"
            case .timeout: "the ESM did not answer \(method) \(path) in time: \(text)"
            case .unreachable: "the ESM at \(baseURL.authority) is unreachable for \(method) \(path): \(text)"
            default: "the ESM's answer to \(method) \(path) is unusable: \(text)"
            }
            return .failure(TransportFailure(error: ESMError(kind, message: message), mayHaveBeenSent: error.mayHaveBeenSent))
        }
    }

    /// Sleeps before the next attempt; false (no sleep) when the attempt could not start before
    /// `deadline`.
    func backOff(after attempt: Int, error: ESMError, path: String, until deadline: ContinuousClock.Instant) -> Bool {
        let delay = Self.retryDelay(attempt: attempt, base: configuration.retryDelay, maximum: configuration.maxRetryDelay)
        guard ContinuousClock.now + .milliseconds(Int64(delay * 1000)) < deadline else { return false }
        logger.warning("ESM call failed; retrying", ["esm.path": path, "esm.error": error.code,
                                                     "attempt": String(attempt), "delay.ms": String(Int(delay * 1000))])
        Thread.sleep(forTimeInterval: delay)
        return true
    }

    /// Seconds before retry number `attempt`: exponential, capped, "equal jitter" (half fixed,
    /// half random) so that many clients do not retry in step.
    static func retryDelay(attempt: Int, base: Duration, maximum: Duration) -> Double {
        let nominal = min(maximum.inSeconds, base.inSeconds * pow(2, Double(max(0, attempt - 1))))
        return nominal / 2 + Double.random(in: 0...(nominal / 2))
    }

    static func escape(_ segment: String) -> String {
        let allowed = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
        return segment.addingPercentEncoding(withAllowedCharacters: allowed) ?? ""
    }

    static func jsonString(_ text: String) -> [UInt8] {
        (try? JSONEncoder().encode(text)).map { Array($0) } ?? Array("\"\"".utf8)
    }

    func decode<Value: Decodable>(_ type: Value.Type, from response: HTTPClientResponse, what: String) throws(ESMError) -> Value {
        do {
            return try JSONDecoder().decode(type, from: Data(response.body))
        } catch {
            throw ESMError(.invalidResponse, status: response.status, message: "the ESM sent \(what) in an unexpected shape")
        }
    }
}

/// The ESM's answer to a command: 202 normally; `isDuplicate` when it had seen the key before.
public struct ESMCommandReceipt: Sendable, Hashable {
    public var status: Int
    public var isDuplicate: Bool

    public init(status: Int, isDuplicate: Bool) {
        self.status = status
        self.isDuplicate = isDuplicate
    }
}

private struct PlantList: Decodable { let plants: [ESMPlant] }
private struct ConfigUpdate: Encodable { let timeConfigs: [ESMTimeConfig]; let validateOnly: Bool }
private struct CommandAnswer: Decodable { let duplicate: Bool? }
