/// Why the outbound URL guard refused a URL, host or address. `reason` is a complete sentence
/// fit for an API error's `message` shown to the tenant who gave the URL: it names the host as
/// written and the rule, never user-info, paths or queries (which may carry secrets), nor the
/// internal address a host name resolved to (which would let a tenant map the private network
/// through tradingd's resolver). `detail` carries that address for operators' logs.
public struct OutboundURLError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Hashable {
        /// Not an absolute URL the guard can read unambiguously (control characters, backslashes,
        /// missing `//`, empty host, bad labels, zone ids, percent-encoded hosts).
        case malformed
        /// A scheme other than `http` or `https`.
        case unsupportedScheme
        /// User-info (`user@host`) in the authority.
        case userInfo
        /// A port outside 1...65535 or not plain digits.
        case invalidPort
        /// A host name refused by name (`localhost`, `metadata.google.internal`, ...), or IPv4 in
        /// a non-canonical notation.
        case forbiddenHost
        /// The address, or one of the addresses the name resolves to, is not public.
        case forbiddenAddress
        /// The host name did not resolve (no answer, or no DNS).
        case unresolvable
    }

    public let kind: Kind
    public let reason: String
    /// What an operator needs besides `reason` (the resolved address and its block); logs only.
    public let detail: String?

    public init(_ kind: Kind, _ reason: String, detail: String? = nil) {
        self.kind = kind
        self.reason = reason
        self.detail = detail
    }

    public var description: String { reason }
}
