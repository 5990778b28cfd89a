/// A URL that passed `OutboundURLGuard.check(url:)`: its parts, normalised, and the addresses
/// that were checked. A client should connect to one of `addresses` (after calling
/// `resolveAndCheck(host:port:)` again right before connecting, for long-lived values) and send
/// `authority` as the `Host` header and TLS server name (`host`), so that DNS cannot send the
/// connection elsewhere between check and connect.
public struct ValidatedURL: Sendable, Hashable, CustomStringConvertible {
    /// `http` or `https`, lower case.
    public let scheme: String
    /// Lower case, without a trailing dot; IPv6 without brackets, in canonical form.
    public let host: String
    /// The explicit port, or 80/443 by scheme.
    public let port: Int
    /// Path and query, starting with `/`; the fragment is dropped.
    public let pathAndQuery: String
    /// Every address checked for the host at validation time (the literal itself for IP hosts).
    public let addresses: [IPAddress]
    /// Whether `host:port` matched the private allow list, so the addresses were not required
    /// to be public.
    public let isAllowListed: Bool

    public var defaultPort: Int { scheme == "https" ? 443 : 80 }

    /// `host[:port]` as it belongs in a `Host` header (port omitted when it is the default).
    public var authority: String {
        let hostText = host.contains(":") ? "[\(host)]" : host
        return port == defaultPort ? hostText : "\(hostText):\(port)"
    }

    /// The normalised URL, `scheme://authority/path?query`.
    public var normalized: String { "\(scheme)://\(authority)\(pathAndQuery)" }

    public var description: String { normalized }
}
