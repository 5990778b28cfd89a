/// How an `ArgoSimulator` starts. Knobs (times, failure share, rate limit, response delay) can
/// also be changed while it runs (`POST /_sim/knobs` or the properties).
public struct ArgoSimulatorOptions: Sendable {
    /// A numeric address to listen on.
    public var host: String = "127.0.0.1"
    /// 0 picks a free port.
    public var port: Int = 0
    /// The service-account token every API call must carry as `Authorization: Bearer`.
    public var token: String = "argo-sim-token"
    /// Namespaces that exist.
    public var namespaces: [String] = ["argo"]
    /// WorkflowTemplates that exist in every namespace, with their parameters (all required).
    public var templates: [String: [String]] = ["purchase-schedule": ["purchaseId"]]
    public var knobs = ArgoSimulatorKnobs()

    public init() {}
}

/// What can change while the simulator runs.
public struct ArgoSimulatorKnobs: Sendable, Equatable, Codable {
    /// Time a new workflow spends in phase Pending.
    public var pendingMilliseconds: Int = 200
    /// Then in phase Running.
    public var runningMilliseconds: Int = 500
    /// Share (0...1) of new workflows that end Failed instead of Succeeded.
    public var failureRate: Double = 0
    /// API requests per second allowed before 429 (a token bucket of `rateLimitBurst`); 0 is no limit.
    public var rateLimitPerSecond: Double = 0
    public var rateLimitBurst: Int = 10
    /// Added before answering a submit, after the workflow was created (a slow or lost answer).
    public var submitResponseDelayMilliseconds: Int = 0

    public init() {}
}

/// Counters for tests and benchmarks.
public struct ArgoSimulatorStats: Sendable, Equatable, Codable {
    /// Every API request (`/api/v1/...`), refused ones included.
    public var requests = 0
    public var submits = 0
    public var workflowsCreated = 0
    /// Submits refused with 409 AlreadyExists (a reused name).
    public var alreadyExists = 0
    /// Requests answered 429.
    public var throttled = 0
    /// Requests refused for their token (401).
    public var unauthenticated = 0
    public var gets = 0

    public init() {}
}

/// A workflow as the simulator keeps it.
public struct ArgoSimulatedWorkflow: Sendable, Equatable, Codable {
    public let namespace: String
    public let name: String
    public let uid: String
    public let template: String
    /// `name=value` as submitted, parameters the template does not declare included (Argo
    /// ignores those silently; the simulator keeps them so tests can see them).
    public let parameters: [String: String]
    public let labels: [String: String]
    /// Seconds since the epoch.
    public let createdAt: Double
    public let willFail: Bool
    public let pendingSeconds: Double
    public let runningSeconds: Double
}
