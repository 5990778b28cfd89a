import Foundation
import JSON

/// Everything an `ArgoSimulator` holds; used under its mutex only.
struct ArgoSimulatorState {
    var knobs: ArgoSimulatorKnobs
    var stats = ArgoSimulatorStats()
    /// Keyed by `namespace/name`.
    var workflows: [String: ArgoSimulatedWorkflow] = [:]
    var bucket: TokenBucket

    init(knobs: ArgoSimulatorKnobs) {
        self.knobs = knobs
        bucket = TokenBucket(rate: knobs.rateLimitPerSecond, burst: knobs.rateLimitBurst)
    }

    mutating func setKnobs(_ new: ArgoSimulatorKnobs) {
        if new.rateLimitPerSecond != knobs.rateLimitPerSecond || new.rateLimitBurst != knobs.rateLimitBurst {
            bucket = TokenBucket(rate: new.rateLimitPerSecond, burst: new.rateLimitBurst)
        }
        knobs = new
    }

    static func key(_ namespace: String, _ name: String) -> String { namespace + "/" + name }
}

/// Argo's per-client rate limit, as a token bucket: `burst` requests at once, refilled at `rate`
/// per second. A rate of 0 never limits.
struct TokenBucket {
    let rate: Double
    let burst: Int
    private var tokens: Double
    private var last: Double

    init(rate: Double, burst: Int) {
        self.rate = rate
        self.burst = max(1, burst)
        tokens = Double(max(1, burst))
        last = Date().timeIntervalSince1970
    }

    /// Takes a token; when none is left, the whole seconds until one is (at least 1).
    mutating func take(now: Double = Date().timeIntervalSince1970) -> (allowed: Bool, remaining: Int, retryAfter: Int) {
        guard rate > 0 else { return (true, burst, 0) }
        tokens = min(Double(burst), tokens + (now - last) * rate)
        last = now
        if tokens >= 1 {
            tokens -= 1
            return (true, Int(tokens), 0)
        }
        return (false, 0, max(1, Int(((1 - tokens) / rate).rounded(.up))))
    }
}

extension ArgoSimulatedWorkflow {
    /// The phase at `now` (seconds since the epoch), with start and finish times as far as known.
    func status(at now: Double) -> (phase: String, startedAt: Double?, finishedAt: Double?, message: String?) {
        let started = createdAt + pendingSeconds, finished = started + runningSeconds
        if now < started { return ("Pending", nil, nil, nil) }
        if now < finished { return ("Running", started, nil, nil) }
        return willFail ? ("Failed", started, finished, "child '\(name)-load' failed: simulated failure") : ("Succeeded", started, finished, nil)
    }

    /// The Workflow object as Argo's API returns it (the parts clients read).
    func json(at now: Double) -> JSONValue {
        var metadata: [String: JSONValue] = [
            "name": .string(name), "namespace": .string(namespace), "uid": .string(uid),
            "creationTimestamp": .string(Self.timestamp(createdAt)),
        ]
        if !labels.isEmpty { metadata["labels"] = .object(labels.mapValues { .string($0) }) }
        let arguments = parameters.keys.sorted().map { key -> JSONValue in ["name": .string(key), "value": .string(parameters[key]!)] }
        let current = status(at: now)
        var status: [String: JSONValue] = ["phase": .string(current.phase)]
        if let startedAt = current.startedAt { status["startedAt"] = .string(Self.timestamp(startedAt)) }
        if let finishedAt = current.finishedAt { status["finishedAt"] = .string(Self.timestamp(finishedAt)) }
        if let message = current.message { status["message"] = .string(message) }
        return [
            "metadata": .object(metadata),
            "spec": ["workflowTemplateRef": ["name": .string(template)], "arguments": ["parameters": .array(arguments)]],
            "status": .object(status),
        ]
    }

    /// RFC 3339 in UTC to the second, as Kubernetes writes times.
    static func timestamp(_ seconds: Double) -> String {
        Date(timeIntervalSince1970: seconds.rounded(.down)).formatted(.iso8601)
    }
}
