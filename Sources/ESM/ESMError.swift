/// Why a call to the ESM failed. `message` is a complete sentence for logs and API errors; it
/// names the host, the HTTP status and the ESM's own reason, never the client secret or a token
/// (the client scrubs them even from text the ESM sends back).
public struct ESMError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable, Hashable {
        /// No connection (refused, reset, unreachable, name not resolved). Retriable.
        case unreachable = "ESM_UNREACHABLE"
        /// Connect, send or answer took longer than allowed. Retriable.
        case timeout = "ESM_TIMEOUT"
        /// The ESM answered 5xx (or 429). Retriable.
        case serverError = "ESM_SERVER_ERROR"
        /// The organisation already has `maxConcurrentCalls` calls to its ESM in progress; this
        /// one was not sent. Retriable.
        case busy = "ESM_BUSY"
        /// The ESM refused the request (4xx other than 401): terminal; `esmReason` says why.
        case clientError = "ESM_CLIENT_ERROR"
        /// The ESM refused the client credentials or a fresh token.
        case unauthorized = "ESM_UNAUTHORIZED"
        /// The answer was not HTTP or not the JSON the contract says.
        case invalidResponse = "ESM_INVALID_RESPONSE"
        /// The outbound URL guard refused the URL or the address it resolves to now.
        case forbiddenAddress = "ESM_FORBIDDEN_ADDRESS"
        /// The client was configured with an unusable URL or argument.
        case invalidConfiguration = "ESM_INVALID_CONFIGURATION"
    }

    public let kind: Kind
    /// The HTTP status when the ESM answered.
    public let status: Int?
    public let message: String
    /// The reason the ESM gave in its answer (a JSON `message`/`error` field or the body text).
    public let esmReason: String?

    public init(_ kind: Kind, status: Int? = nil, message: String, esmReason: String? = nil) {
        self.kind = kind
        self.status = status
        self.message = message
        self.esmReason = esmReason
    }

    /// A stable code for API errors and metrics (`ESM_TIMEOUT`, ...).
    public var code: String { kind.rawValue }

    /// Whether trying again later may succeed (the client already retried idempotent calls).
    public var isRetriable: Bool {
        switch kind {
        case .unreachable, .timeout, .serverError, .busy: true
        case .clientError, .unauthorized, .invalidResponse, .forbiddenAddress, .invalidConfiguration: false
        }
    }

    /// Whether the request can never succeed as sent.
    public var isTerminal: Bool { !isRetriable }

    public var description: String {
        var text = "\(code): \(message)"
        if let esmReason, !message.contains(esmReason) { text += " (ESM said: \(esmReason))" }
        return text
    }
}
