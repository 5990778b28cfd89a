/// One `host:port` pair exempt from the private-address rule (`TRADINGD_OUTBOUND_PRIVATE_ALLOW`,
/// formerly `TRADINGD_ESM_PRIVATE_ALLOW`).
/// Matching is exact after the same normalisation the guard applies to URLs (lower case, no
/// trailing dot, canonical IP text): `localhost:8081` exempts neither `localhost:8082` nor
/// `127.0.0.1:8081`.
public struct AllowedEndpoint: Hashable, Sendable, CustomStringConvertible {
    public let host: String
    public let port: Int

    /// - Throws: `OutboundURLError` when the host or port is not valid.
    public init(host: String, port: Int) throws {
        guard (1...65535).contains(port) else {
            throw OutboundURLError(.invalidPort, "allow-list port \(port) is outside 1-65535")
        }
        let classified = try URLGuardHost.classify(host)
        if case .nonCanonicalIPv4(let address, let written) = classified {
            throw OutboundURLError(.forbiddenHost, "allow-list host '\(written)' is IPv4 in a non-canonical notation; write it as \(address)")
        }
        self.host = classified.normalizedText
        self.port = port
    }

    /// Parses `host:port` or `[ipv6]:port`.
    public init(parsing text: String) throws {
        let trimmed = text.trimmingASCIIWhitespace()
        let (host, portText) = try URLGuardHost.splitHostPort(trimmed)
        guard let portText else {
            throw OutboundURLError(.malformed, "allow-list entry '\(trimmed)' must be host:port")
        }
        try self.init(host: host, port: URLGuardHost.parsePort(portText))
    }

    /// Parses a comma-separated list; blank entries are ignored, so an empty value is an empty list.
    public static func parseList(_ value: String) throws -> Set<AllowedEndpoint> {
        var out: Set<AllowedEndpoint> = []
        for entry in value.split(separator: ",") where !entry.trimmingASCIIWhitespace().isEmpty {
            out.insert(try AllowedEndpoint(parsing: String(entry)))
        }
        return out
    }

    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}

extension StringProtocol {
    func trimmingASCIIWhitespace() -> String {
        var scalars = Substring(self)
        while let c = scalars.first, c == " " || c == "\t" || c == "\n" || c == "\r" { scalars.removeFirst() }
        while let c = scalars.last, c == " " || c == "\t" || c == "\n" || c == "\r" { scalars.removeLast() }
        return String(scalars)
    }
}
