/// How to reach one ESM. `description` masks the secret, so the value can be logged.
public struct ESMClientConfiguration: Sendable, CustomStringConvertible, CustomDebugStringConvertible,
    CustomReflectable {
    /// `http(s)://host[:port][/prefix]`, checked by the outbound URL guard.
    public var baseURL: String
    public var clientID: String
    public var clientSecret: String
    /// For establishing a TCP connection.
    public var connectTimeout: Duration
    /// For one HTTP exchange (connect included).
    public var requestTimeout: Duration
    /// Attempts for idempotent calls (GETs, commands with an idempotency key, the token request);
    /// non-idempotent calls are retried only when the request certainly never left.
    public var maxAttempts: Int
    /// First retry delay; doubles per attempt up to `maxRetryDelay`, with jitter.
    public var retryDelay: Duration
    public var maxRetryDelay: Duration
    /// Share of a token's lifetime after which a new one is fetched.
    public var tokenRefreshFraction: Double
    /// The most one call may take, its token request, retries and backoff included: no attempt
    /// starts, and no exchange runs, past it. Kept under the HTTP handler budget (30 s), so an
    /// API request waiting on the ESM answers before its budget runs out, and under the relay's
    /// claim on a command.
    public var callDeadline: Duration
    /// Calls of this client (one per organisation) in progress at once; one more is refused at
    /// once with `ESM_BUSY`, so that a slow ESM cannot hold every HTTP worker (16) on one tenant's
    /// calls. Relay workers (4) and API requests share it.
    public var maxConcurrentCalls: Int

    public init(baseURL: String, clientID: String, clientSecret: String,
                connectTimeout: Duration = .seconds(3), requestTimeout: Duration = .seconds(10),
                maxAttempts: Int = 3, retryDelay: Duration = .milliseconds(100), maxRetryDelay: Duration = .seconds(2),
                tokenRefreshFraction: Double = 0.8, callDeadline: Duration = .seconds(20),
                maxConcurrentCalls: Int = 6) {
        self.baseURL = baseURL
        self.clientID = clientID
        self.clientSecret = clientSecret
        self.connectTimeout = connectTimeout
        self.requestTimeout = requestTimeout
        self.maxAttempts = max(1, maxAttempts)
        self.retryDelay = retryDelay
        self.maxRetryDelay = maxRetryDelay
        self.tokenRefreshFraction = tokenRefreshFraction
        self.callDeadline = callDeadline
        self.maxConcurrentCalls = max(1, maxConcurrentCalls)
    }

    public var description: String {
        "ESMClientConfiguration(baseURL: \(baseURL), clientID: \(clientID), clientSecret: ***, "
            + "connectTimeout: \(connectTimeout), requestTimeout: \(requestTimeout), maxAttempts: \(maxAttempts), "
            + "callDeadline: \(callDeadline))"
    }

    public var debugDescription: String { description }

    /// `dump` and debuggers see the masked secret too.
    public var customMirror: Mirror {
        Mirror(self, children: ["baseURL": baseURL, "clientID": clientID, "clientSecret": "***",
                                "connectTimeout": connectTimeout, "requestTimeout": requestTimeout,
                                "maxAttempts": maxAttempts], displayStyle: .struct)
    }
}
