#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An IPv4 or IPv6 address as bytes (4 or 16, network order). Values come from strict literals
/// (`init?(_:)`), from the legacy IPv4 notations that some parsers accept (`init?(legacyIPv4:)`)
/// or from the resolver.
public struct IPAddress: Hashable, Sendable, CustomStringConvertible {
    public enum Family: Hashable, Sendable { case v4, v6 }

    /// 4 bytes for `.v4`, 16 for `.v6`, most significant first.
    public let bytes: [UInt8]

    public var family: Family { bytes.count == 4 ? .v4 : .v6 }

    /// An IPv4 address from its 4 bytes.
    public init(v4 a: UInt8, _ b: UInt8, _ c: UInt8, _ d: UInt8) { bytes = [a, b, c, d] }

    /// An address from 4 or 16 bytes; `nil` for any other count.
    public init?(bytes: [UInt8]) {
        guard bytes.count == 4 || bytes.count == 16 else { return nil }
        self.bytes = bytes
    }

    /// Parses a strict literal: canonical dotted-decimal IPv4 (`93.184.216.34`, no leading zeros,
    /// exactly four parts) or IPv6 text as RFC 4291 §2.2 writes it, without brackets or zone
    /// (`2001:db8::1`, `::ffff:192.0.2.1`). Everything else is `nil`.
    ///
    /// IPv6 text goes through `inet_pton(AF_INET6, ...)`, which writes into a Swift buffer.
    public init?(_ text: String) {
        if text.contains(":") {
            guard text.utf8.allSatisfy({ Self.isIPv6TextByte($0) }) else { return nil }
            var raw = in6_addr()
            guard inet_pton(AF_INET6, text, &raw) == 1 else { return nil }
            bytes = withUnsafeBytes(of: &raw) { Array($0) }
        } else {
            guard let parsed = Self.parseCanonicalIPv4(text) else { return nil }
            bytes = parsed
        }
    }

    /// Parses IPv4 the permissive way of `inet_aton` and the WHATWG URL standard: one to four
    /// dot-separated numbers, each decimal, octal (leading `0`) or hex (`0x`), the last filling
    /// the remaining bytes (`2130706433`, `0177.0.0.1`, `0x7f.1`, `127.1`). `nil` when the text is
    /// not such a number sequence or a part overflows.
    public init?(legacyIPv4 text: String) {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...4).contains(parts.count) else { return nil }
        var numbers: [UInt64] = []
        for part in parts {
            guard let value = Self.parseLegacyNumber(part) else { return nil }
            numbers.append(value)
        }
        for value in numbers.dropLast() where value > 255 { return nil }
        let lastLimit: UInt64 = 1 << (8 * UInt64(5 - numbers.count))
        guard numbers.last! < lastLimit else { return nil }
        var value: UInt64 = numbers.last!
        for (index, part) in numbers.dropLast().enumerated() {
            value |= part << (8 * UInt64(3 - index))
        }
        bytes = [UInt8(truncatingIfNeeded: value >> 24), UInt8(truncatingIfNeeded: value >> 16),
                 UInt8(truncatingIfNeeded: value >> 8), UInt8(truncatingIfNeeded: value)]
    }

    /// Canonical text: dotted decimal, or RFC 5952 IPv6 from `inet_ntop` (`::ffff:127.0.0.1`).
    public var description: String {
        if family == .v4 { return bytes.map(String.init).joined(separator: ".") }
        var raw = in6_addr()
        withUnsafeMutableBytes(of: &raw) { $0.copyBytes(from: bytes) }
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        guard inet_ntop(AF_INET6, &raw, &buffer, socklen_t(buffer.count)) != nil else { return "invalid IPv6" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// The text to put in a URL authority: IPv6 in brackets.
    public var uriHost: String { family == .v6 ? "[\(description)]" : description }

    /// Whether the first `length` bits equal those of `prefix` (same family only).
    func isIn(_ prefix: [UInt8], length: Int) -> Bool {
        guard prefix.count == bytes.count else { return false }
        var remaining = length
        for (index, byte) in prefix.enumerated() where remaining > 0 {
            let bits = min(8, remaining)
            let mask = UInt8(truncatingIfNeeded: 0xff << (8 - bits))
            if bytes[index] & mask != byte & mask { return false }
            remaining -= bits
        }
        return true
    }

    static func parseCanonicalIPv4(_ text: String) -> [UInt8]? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var out: [UInt8] = []
        for part in parts {
            guard (1...3).contains(part.utf8.count), part.utf8.allSatisfy({ (0x30...0x39).contains($0) }),
                  part == "0" || part.first != "0", let value = UInt8(part) else { return nil }
            out.append(value)
        }
        return out
    }

    /// One legacy part: `0x`/`0X` hex (empty digits mean 0, as WHATWG says), leading-`0` octal,
    /// or decimal. Capped at 2^32 so that huge inputs cannot overflow.
    static func parseLegacyNumber(_ part: Substring) -> UInt64? {
        var digits = Substring(part)
        var radix: UInt64 = 10
        if digits.hasPrefix("0x") || digits.hasPrefix("0X") {
            radix = 16
            digits = digits.dropFirst(2)
            if digits.isEmpty { return 0 }
        } else if digits.count > 1 && digits.hasPrefix("0") {
            radix = 8
            digits = digits.dropFirst()
        }
        guard !digits.isEmpty else { return nil }
        var value: UInt64 = 0
        for char in digits.utf8 {
            let digit: UInt64
            switch char {
            case 0x30...0x39: digit = UInt64(char - 0x30)
            case 0x61...0x66: digit = UInt64(char - 0x61 + 10)
            case 0x41...0x46: digit = UInt64(char - 0x41 + 10)
            default: return nil
            }
            guard digit < radix else { return nil }
            value = value * radix + digit
            if value > 1 << 32 { return value }   // already too large for any part; stop growing
        }
        return value
    }

    private static func isIPv6TextByte(_ c: UInt8) -> Bool {
        switch c {
        case 0x30...0x39, 0x61...0x66, 0x41...0x46, UInt8(ascii: ":"), UInt8(ascii: "."): return true
        default: return false
        }
    }
}
