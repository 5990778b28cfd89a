/// The host part of a URL or allow-list entry, read the way the strictest and the most lenient
/// URL parsers would both agree on, or refused.
enum URLGuardHost: Equatable {
    /// A canonical IPv4 or a bracketed IPv6 literal.
    case address(IPAddress)
    /// IPv4 written as decimal, octal, hex or with fewer than four parts (`2130706433`, `0x7f.1`).
    case nonCanonicalIPv4(IPAddress, written: String)
    /// A DNS name: lower case, no trailing dot, LDH labels.
    case name(String)

    var normalizedText: String {
        switch self {
        case .address(let address): return address.description
        case .nonCanonicalIPv4(_, let written): return written
        case .name(let name): return name
        }
    }

    /// Classifies host text (IPv6 with or without brackets).
    /// - Throws: `.malformed` for anything that is neither a literal nor a valid name.
    static func classify(_ raw: String) throws -> URLGuardHost {
        guard !raw.isEmpty else { throw OutboundURLError(.malformed, "the URL has an empty host") }
        guard raw.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7f }) else {
            throw OutboundURLError(.malformed, "the host contains whitespace, control or non-ASCII characters")
        }
        guard !raw.contains("%") else {
            throw OutboundURLError(.malformed, "percent-encoded hosts and IPv6 zone identifiers are not accepted")
        }
        if raw.hasPrefix("[") || raw.contains(":") {
            let inner = raw.hasPrefix("[") && raw.hasSuffix("]") ? String(raw.dropFirst().dropLast()) : raw
            guard let address = IPAddress(inner), address.family == .v6 else {
                throw OutboundURLError(.malformed, "host '\(raw)' is not a valid IPv6 literal")
            }
            return .address(address)
        }
        var host = raw.lowercased()
        if host.hasSuffix(".") { host.removeLast() }   // "localhost." is "localhost"
        let labels = host.split(separator: ".", omittingEmptySubsequences: false)
        guard !host.isEmpty, labels.allSatisfy({ !$0.isEmpty }) else {
            throw OutboundURLError(.malformed, "host '\(raw)' has an empty label")
        }
        if isNumericLabel(labels.last!) {
            // WHATWG: a host whose last label is a number is an IPv4 address or invalid.
            guard let address = IPAddress(legacyIPv4: host) else {
                throw OutboundURLError(.malformed, "host '\(raw)' ends in a number but is not a valid IPv4 address")
            }
            return IPAddress.parseCanonicalIPv4(host) != nil ? .address(address) : .nonCanonicalIPv4(address, written: host)
        }
        guard host.utf8.count <= 253 else { throw OutboundURLError(.malformed, "host name is longer than 253 characters") }
        for label in labels {
            guard label.utf8.count <= 63, label.first != "-", label.last != "-",
                  label.utf8.allSatisfy({ isLDH($0) }) else {
                throw OutboundURLError(.malformed, "host '\(raw)' is not a valid DNS name (letters, digits and inner hyphens only)")
            }
        }
        return .name(host)
    }

    /// Splits `host[:port]` / `[v6][:port]`; the port text is returned unparsed (`nil` when absent).
    static func splitHostPort(_ authority: String) throws -> (host: String, port: String?) {
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else {
                throw OutboundURLError(.malformed, "an IPv6 host is missing its closing ']'")
            }
            let host = String(authority[...close])
            let rest = authority[authority.index(after: close)...]
            if rest.isEmpty { return (host, nil) }
            guard rest.first == ":" else {
                throw OutboundURLError(.malformed, "unexpected text after the IPv6 host")
            }
            return (host, String(rest.dropFirst()))
        }
        let colons = authority.filter { $0 == ":" }.count
        guard colons <= 1 else {
            throw OutboundURLError(.malformed, "the authority has several ':' (IPv6 hosts must be in brackets)")
        }
        guard let colon = authority.firstIndex(of: ":") else { return (authority, nil) }
        return (String(authority[..<colon]), String(authority[authority.index(after: colon)...]))
    }

    /// A port: 1–5 ASCII digits, 1...65535.
    static func parsePort(_ text: String) throws -> Int {
        guard !text.isEmpty else { throw OutboundURLError(.invalidPort, "the port is empty") }
        guard text.utf8.count <= 5, text.utf8.allSatisfy({ (0x30...0x39).contains($0) }),
              let port = Int(text), (1...65535).contains(port) else {
            throw OutboundURLError(.invalidPort, "port '\(text.prefix(12))' is not a number in 1-65535")
        }
        return port
    }

    private static func isNumericLabel(_ label: Substring) -> Bool {
        if label.utf8.allSatisfy({ (0x30...0x39).contains($0) }) { return true }
        guard label.hasPrefix("0x") else { return false }
        return label.dropFirst(2).utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }
    }

    private static func isLDH(_ c: UInt8) -> Bool {
        (0x61...0x7a).contains(c) || (0x30...0x39).contains(c) || c == UInt8(ascii: "-")
    }
}
