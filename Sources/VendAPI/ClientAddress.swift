import HTTPServer

/// The client's IP address, for the login throttle: the peer's, or, when the peer is a trusted
/// reverse proxy (DESIGN §6: TLS ends there), the nearest address in `X-Forwarded-For` that is
/// not one of the trusted proxies.
struct ClientAddress: Sendable {
    let trustedProxies: Set<String>

    func of(_ request: Request) -> String {
        let peer = Self.host(of: request.remoteAddress)
        guard trustedProxies.contains(peer), let forwarded = request.headers["X-Forwarded-For"] else { return peer }
        let hops = forwarded.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        return hops.reversed().first { !trustedProxies.contains($0) }.map { String($0.prefix(64)) } ?? peer
    }

    /// `1.2.3.4:5678` → `1.2.3.4`; `[::1]:5678` → `::1`.
    static func host(of address: String) -> String {
        if address.hasPrefix("["), let close = address.firstIndex(of: "]") {
            return String(address[address.index(after: address.startIndex)..<close])
        }
        guard let colon = address.lastIndex(of: ":") else { return address }
        return String(address[..<colon])
    }
}
