/// Why `OutboundHTTPClient` got no answer.
///
/// `message` may be shown to the tenant whose URL it was (in an API error, `lastSyncError`, an
/// event): it names the rule that refused a request, never an internal address a name resolved
/// to. `detail`, when present, adds what an operator needs (that address) and belongs in logs only.
public struct HTTPClientError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable, Hashable {
        /// The URL guard refused the host or the addresses it resolves to now.
        case forbidden
        /// No connection could be made (refused, unreachable, not resolvable).
        case unreachable
        /// The whole exchange (connect, TLS, send, answer) did not complete by its deadline.
        case timeout
        /// TLS could not be established: the server's certificate is untrusted or issued for
        /// another name, or the handshake failed.
        case tls
        /// The connection broke or the answer was not usable HTTP/1.x (malformed, over the size
        /// cap, content-coded, cut short).
        case invalidResponse
        /// The request itself cannot be sent (control characters in a header, unknown scheme).
        case invalidRequest
    }

    public let kind: Kind
    public let message: String
    /// For operators' logs only.
    public let detail: String?
    /// Whether the request may have reached the server (false only when it certainly did not).
    public let mayHaveBeenSent: Bool

    public init(kind: Kind, message: String, detail: String? = nil, mayHaveBeenSent: Bool) {
        self.kind = kind
        self.message = message
        self.detail = detail
        self.mayHaveBeenSent = mayHaveBeenSent
    }

    public var description: String { message }
}
