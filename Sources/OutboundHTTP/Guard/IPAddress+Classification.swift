/// Which addresses an outbound connection may reach. An address is public only when it is
/// globally reachable unicast: IPv4 outside the special-purpose blocks below, IPv6 inside
/// 2000::/3 outside the special-purpose blocks, or an IPv6 form that carries a public IPv4
/// address (IPv4-mapped, NAT64 64:ff9b::/96); 6to4 2002::/16 is refused when the IPv4 it
/// wraps is not public. Sources: the IANA IPv4 and IPv6 Special-Purpose Address Registries
/// (RFC 6890 and later), plus cloud metadata endpoints.
extension IPAddress {
    /// Why the address is not public, in words for an error message; `nil` when it is public.
    public var nonPublicReason: String? {
        family == .v4 ? Self.reasonForIPv4(self) : Self.reasonForIPv6(self)
    }

    /// Whether the address is globally reachable unicast (see `nonPublicReason`).
    public var isPublic: Bool { nonPublicReason == nil }

    /// The IPv4 address an IPv6 address stands for or wraps, when it has one: IPv4-mapped
    /// (::ffff:0:0/96), IPv4-compatible (::/96, deprecated), NAT64 (64:ff9b::/96), 6to4 (2002::/16).
    public var embeddedIPv4: IPAddress? {
        guard family == .v6 else { return nil }
        let zeros = [UInt8](repeating: 0, count: 16)
        if isIn(zeros.replacing(10..<12, with: [0xff, 0xff]), length: 96)
            || isIn(zeros, length: 96)
            || isIn([0x00, 0x64, 0xff, 0x9b] + zeros.dropFirst(4), length: 96) {
            return IPAddress(bytes: Array(bytes[12..<16]))
        }
        if isIn([0x20, 0x02] + zeros.dropFirst(2), length: 16) {
            return IPAddress(bytes: Array(bytes[2..<6]))
        }
        return nil
    }

    private struct Block {
        let prefix: [UInt8], length: Int, reason: String
    }

    private static let ipv4Blocks: [Block] = [
        Block(prefix: [0, 0, 0, 0], length: 8, reason: "an unspecified/\"this network\" address (0.0.0.0/8)"),
        Block(prefix: [10, 0, 0, 0], length: 8, reason: "a private address (10.0.0.0/8)"),
        Block(prefix: [100, 64, 0, 0], length: 10, reason: "a carrier-grade NAT address (100.64.0.0/10)"),
        Block(prefix: [127, 0, 0, 0], length: 8, reason: "a loopback address (127.0.0.0/8)"),
        Block(prefix: [169, 254, 169, 254], length: 32, reason: "the cloud metadata address (169.254.169.254)"),
        Block(prefix: [169, 254, 0, 0], length: 16, reason: "a link-local address (169.254.0.0/16)"),
        Block(prefix: [172, 16, 0, 0], length: 12, reason: "a private address (172.16.0.0/12)"),
        Block(prefix: [192, 0, 0, 0], length: 24, reason: "an IETF protocol assignment address (192.0.0.0/24, includes metadata 192.0.0.192)"),
        Block(prefix: [192, 0, 2, 0], length: 24, reason: "a documentation address (192.0.2.0/24)"),
        Block(prefix: [192, 31, 196, 0], length: 24, reason: "an AS112 anycast address (192.31.196.0/24)"),
        Block(prefix: [192, 52, 193, 0], length: 24, reason: "an AMT relay address (192.52.193.0/24)"),
        Block(prefix: [192, 88, 99, 0], length: 24, reason: "a deprecated 6to4 relay address (192.88.99.0/24)"),
        Block(prefix: [192, 168, 0, 0], length: 16, reason: "a private address (192.168.0.0/16)"),
        Block(prefix: [192, 175, 48, 0], length: 24, reason: "a direct-delegation AS112 address (192.175.48.0/24)"),
        Block(prefix: [198, 18, 0, 0], length: 15, reason: "a benchmarking address (198.18.0.0/15)"),
        Block(prefix: [198, 51, 100, 0], length: 24, reason: "a documentation address (198.51.100.0/24)"),
        Block(prefix: [203, 0, 113, 0], length: 24, reason: "a documentation address (203.0.113.0/24)"),
        Block(prefix: [224, 0, 0, 0], length: 4, reason: "a multicast address (224.0.0.0/4)"),
        Block(prefix: [255, 255, 255, 255], length: 32, reason: "the broadcast address (255.255.255.255)"),
        Block(prefix: [240, 0, 0, 0], length: 4, reason: "a reserved address (240.0.0.0/4)"),
    ]

    private static func v6(_ head: [UInt8]) -> [UInt8] { head + [UInt8](repeating: 0, count: 16 - head.count) }

    private static let ipv6Blocks: [Block] = [
        Block(prefix: v6([0x00, 0x64, 0xff, 0x9b, 0x00, 0x01]), length: 48, reason: "a local-use NAT64 address (64:ff9b:1::/48)"),
        Block(prefix: v6([0x01, 0x00]), length: 64, reason: "a discard-only address (100::/64)"),
        Block(prefix: v6([0x20, 0x01, 0x0d, 0xb8]), length: 32, reason: "a documentation address (2001:db8::/32)"),
        Block(prefix: v6([0x20, 0x01, 0x00, 0x00]), length: 32, reason: "a Teredo address (2001::/32)"),
        Block(prefix: v6([0x20, 0x01]), length: 23, reason: "an IETF protocol assignment address (2001::/23)"),
        Block(prefix: v6([0x3f, 0xff]), length: 20, reason: "a documentation address (3fff::/20)"),
        Block(prefix: v6([0x5f, 0x00]), length: 16, reason: "a segment-routing address (5f00::/16)"),
        Block(prefix: v6([0xfd, 0x00, 0x0e, 0xc2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02, 0x54]), length: 128,
              reason: "the cloud metadata address (fd00:ec2::254)"),
        Block(prefix: v6([0xfc]), length: 7, reason: "a unique-local address (fc00::/7)"),
        Block(prefix: v6([0xfe, 0x80]), length: 10, reason: "a link-local address (fe80::/10)"),
        Block(prefix: v6([0xfe, 0xc0]), length: 10, reason: "a deprecated site-local address (fec0::/10)"),
        Block(prefix: v6([0xff]), length: 8, reason: "a multicast address (ff00::/8)"),
    ]

    private static func reasonForIPv4(_ address: IPAddress) -> String? {
        ipv4Blocks.first { address.isIn($0.prefix, length: $0.length) }?.reason
    }

    private static func reasonForIPv6(_ address: IPAddress) -> String? {
        let zeros = [UInt8](repeating: 0, count: 16)
        if address.bytes == zeros { return "the unspecified address (::)" }
        if address.bytes == v6([UInt8](repeating: 0, count: 15) + [1]) { return "the IPv6 loopback address (::1)" }
        if let block = ipv6Blocks.first(where: { address.isIn($0.prefix, length: $0.length) }) { return block.reason }
        if let inner = address.embeddedIPv4 {
            if address.isIn(zeros, length: 96) {
                return "a deprecated IPv4-compatible address (::/96) wrapping \(inner)"
            }
            if let reason = reasonForIPv4(inner) { return "an IPv6 form of \(inner), which is \(reason)" }
            return nil   // mapped, NAT64 or 6to4 around a public IPv4 address
        }
        if !address.isIn(v6([0x20]), length: 3) {
            return "an IPv6 address outside global unicast space (2000::/3)"
        }
        return nil
    }
}

extension Array where Element == UInt8 {
    fileprivate func replacing(_ range: Range<Int>, with new: [UInt8]) -> [UInt8] {
        var copy = self
        copy.replaceSubrange(range, with: new)
        return copy
    }
}
