/// The outbound URL guard (DESIGN §6): partners (the ESM, the workflow engine, the vend provider)
/// may only be reached over `http`/`https` at public addresses, so that a tenant cannot point
/// tradingd at loopback, the private network or a cloud metadata service (server-side request
/// forgery).
///
/// - `check(url:)` validates a configured URL: syntax read strictly (no user-info, backslashes,
///   control characters, percent-encoded hosts or ambiguous IPv4 notations), then the host — an IP
///   literal is checked directly, a name is refused by name (`localhost`, metadata names, private
///   suffixes) or resolved, and EVERY address it resolves to must be public.
/// - `resolveAndCheck(host:port:)` repeats the resolution right before each connection; the client
///   then connects to one of exactly those addresses, so a DNS answer that changes between check and
///   connect (rebinding) is checked too.
/// - Exact `host:port` pairs in the allow list (`TRADINGD_OUTBOUND_PRIVATE_ALLOW`, or its older
///   name `TRADINGD_ESM_PRIVATE_ALLOW`; development only) skip the public-address and host-name
///   rules; every other rule still applies.
/// - Refusals name the rule; the internal address a name resolved to is only in
///   `OutboundURLError.detail`, for logs (a tenant must not learn the private network's layout).
///
/// Name resolution blocks the calling thread; call from a thread that may block (not in a tight
/// loop on the cooperative pool).
public struct OutboundURLGuard: Sendable {
    /// Resolves a host name to addresses, throwing `OutboundURLError(.unresolvable)` on failure.
    public typealias Resolver = @Sendable (_ host: String) throws -> [IPAddress]

    /// The `host:port` pairs exempt from the private-address rule; log them loudly when non-empty.
    public let allowList: Set<AllowedEndpoint>
    private let resolver: Resolver

    /// Names refused before any lookup: they mean the local machine, the local network or a
    /// cloud metadata service wherever tradingd runs.
    static let forbiddenNames: Set<String> = [
        "localhost", "metadata.google.internal", "metadata", "metadata.goog", "instance-data",
        "instance-data.ec2.internal", "kubernetes.default", "kubernetes.default.svc",
    ]
    /// Suffixes reserved for local or private use (RFC 6761, RFC 6762, RFC 8375, ICANN `.internal`).
    static let forbiddenSuffixes = [".localhost", ".local", ".internal", ".home.arpa", ".localdomain", ".lan", ".intranet", ".corp", ".svc", ".cluster.local"]

    public init(allowList: Set<AllowedEndpoint> = [], resolver: @escaping Resolver = SystemResolver.resolve) {
        self.allowList = allowList
        self.resolver = resolver
    }

    /// A guard whose allow list is parsed from a `TRADINGD_OUTBOUND_PRIVATE_ALLOW` (or
    /// `TRADINGD_ESM_PRIVATE_ALLOW`) value: comma-separated `host:port`; empty means none.
    public init(privateAllowList: String, resolver: @escaping Resolver = SystemResolver.resolve) throws {
        try self.init(allowList: AllowedEndpoint.parseList(privateAllowList), resolver: resolver)
    }

    /// Whether `address` is globally reachable unicast; see `IPAddress.nonPublicReason`.
    public func isPublic(address: IPAddress) -> Bool { address.isPublic }

    /// Validates `url` and returns its parts and the addresses that were checked.
    /// - Throws: `OutboundURLError` whose `reason` says exactly what was refused and why.
    public func check(url: String) throws -> ValidatedURL {
        let parts = try Self.split(url)
        let addresses = try checkedAddresses(host: parts.host, port: parts.port)
        return ValidatedURL(
            scheme: parts.scheme, host: parts.host.normalizedText, port: parts.port,
            pathAndQuery: parts.pathAndQuery, addresses: addresses.list, isAllowListed: addresses.allowListed)
    }

    /// Resolves `host` (a name, or an IP literal with or without brackets) and returns its
    /// addresses if the connection may go there: all public, or `host:port` allow-listed.
    /// Call right before connecting, then connect to one of the returned addresses.
    public func resolveAndCheck(host: String, port: Int) throws -> [IPAddress] {
        guard (1...65535).contains(port) else {
            throw OutboundURLError(.invalidPort, "port \(port) is not in 1-65535")
        }
        return try checkedAddresses(host: URLGuardHost.classify(host), port: port).list
    }

    private func checkedAddresses(host: URLGuardHost, port: Int) throws -> (list: [IPAddress], allowListed: Bool) {
        let allowed = allowList.contains { $0.host == host.normalizedText && $0.port == port }
        switch host {
        case .address(let address):
            if !allowed, let reason = address.nonPublicReason {
                throw OutboundURLError(.forbiddenAddress, "host \(address) is \(reason); only public addresses are allowed")
            }
            return ([address], allowed)
        case .nonCanonicalIPv4(let address, let written):
            if let reason = address.nonPublicReason {
                throw OutboundURLError(.forbiddenAddress, "host '\(written)' is IPv4 \(address) in another notation, which is \(reason)")
            }
            throw OutboundURLError(.forbiddenHost, "host '\(written)' is IPv4 in a non-canonical notation; write it as \(address)")
        case .name(let name):
            if !allowed, let reason = Self.forbiddenNameReason(name) {
                throw OutboundURLError(.forbiddenHost, "host name '\(name)' is refused: \(reason)")
            }
            let addresses = try resolver(name)
            guard !addresses.isEmpty else {
                throw OutboundURLError(.unresolvable, "host name '\(name)' resolved to no address")
            }
            if !allowed {
                for address in addresses {
                    if let reason = address.nonPublicReason {
                        throw OutboundURLError(
                            .forbiddenAddress,
                            "host name '\(name)' resolves to an address that is not public; every address a host name resolves to must be public",
                            detail: "host name '\(name)' resolves to \(address), which is \(reason)")
                    }
                }
            }
            return (addresses, allowed)
        }
    }

    static func forbiddenNameReason(_ name: String) -> String? {
        if forbiddenNames.contains(name) { return "it names the local machine or a cloud metadata service" }
        if let suffix = forbiddenSuffixes.first(where: { name.hasSuffix($0) }) {
            return "names ending in '\(suffix)' are local or private"
        }
        if !name.contains(".") { return "a single-label name is resolved through local search domains" }
        return nil
    }

    struct Parts {
        let scheme: String, host: URLGuardHost, port: Int, pathAndQuery: String
    }

    /// Splits an absolute `http`/`https` URL. Stricter than RFC 3986 on purpose: wherever URL
    /// parsers disagree (WHATWG strips tabs and treats `\` as `/`; libcurl and Foundation differ on
    /// `@` and `#`), the URL is refused rather than read one way.
    static func split(_ url: String) throws -> Parts {
        guard !url.isEmpty else { throw OutboundURLError(.malformed, "the URL is empty") }
        guard url.utf8.count <= 2048 else { throw OutboundURLError(.malformed, "the URL is longer than 2048 characters") }
        guard url.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7f }) else {
            throw OutboundURLError(.malformed, "the URL contains whitespace, control or non-ASCII characters")
        }
        guard !url.contains("\\") else { throw OutboundURLError(.malformed, "the URL contains a backslash") }
        guard let colon = url.firstIndex(of: ":"), isSchemeText(url[..<colon]) else {
            throw OutboundURLError(.malformed, "the URL must be absolute: http://host or https://host")
        }
        let scheme = url[..<colon].lowercased()
        guard scheme == "http" || scheme == "https" else {
            throw OutboundURLError(.unsupportedScheme, "scheme '\(scheme.prefix(20))' is not allowed; use http or https")
        }
        let afterColon = url[url.index(after: colon)...]
        guard afterColon.hasPrefix("//") else {
            throw OutboundURLError(.malformed, "the URL must start with \(scheme):// followed by the host")
        }
        let rest = afterColon.dropFirst(2)
        let authorityEnd = rest.firstIndex(where: { (c: Character) -> Bool in c == "/" || c == "?" || c == "#" }) ?? rest.endIndex
        let authority = String(rest[..<authorityEnd])
        guard !authority.contains("@") else {
            throw OutboundURLError(.userInfo, "user-info ('user@host') is not allowed in the URL; configure credentials separately")
        }
        let (hostText, portText) = try URLGuardHost.splitHostPort(authority)
        let host = try URLGuardHost.classify(hostText)
        let port = try portText.map(URLGuardHost.parsePort) ?? (scheme == "https" ? 443 : 80)
        var pathAndQuery = String(rest[authorityEnd...].prefix { $0 != "#" })
        if !pathAndQuery.hasPrefix("/") { pathAndQuery = "/" + pathAndQuery }
        return Parts(scheme: scheme, host: host, port: port, pathAndQuery: pathAndQuery)
    }

    private static func isSchemeText(_ text: Substring) -> Bool {
        guard let first = text.utf8.first, (0x41...0x5a).contains(first) || (0x61...0x7a).contains(first) else { return false }
        return text.utf8.allSatisfy { c in
            (0x41...0x5a).contains(c) || (0x61...0x7a).contains(c) || (0x30...0x39).contains(c)
                || c == UInt8(ascii: "+") || c == UInt8(ascii: "-") || c == UInt8(ascii: ".")
        }
    }
}
