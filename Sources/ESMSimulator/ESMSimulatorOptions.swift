/// How an `ESMSimulator` starts. The fault knobs (latency, failure rate, token lifetime, ack
/// delay, reject rate) can also be changed while it runs.
public struct ESMSimulatorOptions: Sendable {
    /// A numeric address to listen on.
    public var host: String = "127.0.0.1"
    /// 0 picks a free port.
    public var port: Int = 0
    /// How many plants exist at start (fixed ids, see `ESMSimulator.plantID(number:)`).
    public var plantCount: Int = 3
    /// The client credentials the token endpoint accepts.
    public var clientID: String = "esm-sim"
    public var clientSecret: String = "esm-sim-secret"
    /// Lifetime of issued access tokens.
    public var tokenTTL: Duration = .seconds(3600)
    /// Added before every ESM API answer.
    public var latency: Duration = .zero
    /// Share of ESM API requests (0...1) answered 503.
    public var failureRate: Double = 0
    /// Where acknowledgements go; nil keeps them in memory only (`publishedAcks`).
    public var amqpURL: String?
    public var exchange: String = "trading"
    /// The queue prefix of plants that have none of their own (`setQueuePrefix(_:forPlant:)`).
    public var queuePrefix: String?
    /// Time between the ACCEPTED and the EXECUTED acknowledgement.
    public var ackDelay: Duration = .zero
    /// Share of commands (0...1) acknowledged REJECTED instead.
    public var rejectRate: Double = 0

    public init() {}
}

/// Counters for tests and benchmarks.
public struct ESMSimulatorStats: Sendable, Equatable, Codable {
    /// Requests that reached the token endpoint (after fault injection).
    public var tokenRequests = 0
    public var tokensIssued = 0
    /// Every ESM API request, the ones answered 503 on purpose included.
    public var requests = 0
    public var injectedFailures = 0
    public var commandsReceived = 0
    /// Distinct idempotency keys executed (a repeated key is not executed again).
    public var commandsExecuted = 0
    /// Command requests answered 409 (same key still in progress).
    public var commandConflicts = 0
    public var configUpdates = 0
    public var acksPublished = 0

    public init() {}
}

/// What the simulator holds for one idempotency key.
public struct ESMSimulatedCommand: Sendable, Equatable, Codable {
    public var plantId: String
    /// The partner's messageId from the body (the key is the relay's own).
    public var messageId: String
    public var correlationId: String
    public var commandType: String
    /// How many times the key arrived (POSTs answered 409 included).
    public var received: Int
    /// How many times it was executed: 1 once the first request finished, whatever `received` says.
    public var executed: Int
    /// Requests answered 409 because an earlier request with the key was still in progress.
    public var conflicts: Int
}
