#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Host-name resolution through the system resolver.
public enum SystemResolver {
    /// Every distinct address `getaddrinfo` returns for `host` (IPv4 and IPv6, stream sockets),
    /// in the resolver's order. Blocks the calling thread for as long as the resolver takes.
    ///
    /// The corresponding C functions are `getaddrinfo`, which allocates the result list, and
    /// `freeaddrinfo`, which this function calls before returning; addresses are copied out first.
    /// - Throws: `OutboundURLError(.unresolvable)` with the resolver's reason (`gai_strerror`).
    @Sendable public static func resolve(_ host: String) throws -> [IPAddress] {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        #if canImport(Glibc)
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        #else
        hints.ai_socktype = SOCK_STREAM
        #endif
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, nil, &hints, &list)
        guard status == 0 else {
            let reason = String(cString: gai_strerror(status))
            throw OutboundURLError(.unresolvable, "host name '\(host)' could not be resolved: \(reason)")
        }
        defer { freeaddrinfo(list) }
        var addresses: [IPAddress] = []
        var entry = list
        while let current = entry {
            if let address = copyAddress(current.pointee), !addresses.contains(address) {
                addresses.append(address)
            }
            entry = current.pointee.ai_next
        }
        guard !addresses.isEmpty else {
            throw OutboundURLError(.unresolvable, "host name '\(host)' resolved to no IPv4 or IPv6 address")
        }
        return addresses
    }

    private static func copyAddress(_ info: addrinfo) -> IPAddress? {
        guard let sockaddrPointer = info.ai_addr else { return nil }
        switch info.ai_family {
        case AF_INET:
            return sockaddrPointer.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { pointer in
                var raw = pointer.pointee.sin_addr
                return IPAddress(bytes: withUnsafeBytes(of: &raw) { Array($0) })
            }
        case AF_INET6:
            return sockaddrPointer.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { pointer in
                var raw = pointer.pointee.sin6_addr
                return IPAddress(bytes: withUnsafeBytes(of: &raw) { Array($0) })
            }
        default:
            return nil
        }
    }
}
