// Byte classes of RFC 9110/9112, as small lookups the parser and router share.

enum HTTPSyntax {
    static let cr: UInt8 = 0x0D
    static let lf: UInt8 = 0x0A
    static let space: UInt8 = 0x20
    static let tab: UInt8 = 0x09
    static let colon: UInt8 = 0x3A
    static let percent: UInt8 = 0x25

    /// tchar: the characters of a token (method, header name).
    static func isTokenChar(_ byte: UInt8) -> Bool {
        switch byte {
        case 0x30...0x39, 0x41...0x5A, 0x61...0x7A: return true
        case UInt8(ascii: "!"), UInt8(ascii: "#"), UInt8(ascii: "$"), UInt8(ascii: "%"),
             UInt8(ascii: "&"), UInt8(ascii: "'"), UInt8(ascii: "*"), UInt8(ascii: "+"),
             UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "^"), UInt8(ascii: "_"),
             UInt8(ascii: "`"), UInt8(ascii: "|"), UInt8(ascii: "~"):
            return true
        default: return false
        }
    }

    /// A byte allowed inside a header value: visible ASCII, space, tab, or obs-text; never a
    /// control character (NUL, CR, LF, DEL...).
    static func isFieldValueByte(_ byte: UInt8) -> Bool {
        byte == tab || (byte >= 0x20 && byte != 0x7F)
    }

    /// A byte allowed in a request-target: visible ASCII only.
    static func isTargetByte(_ byte: UInt8) -> Bool {
        byte >= 0x21 && byte <= 0x7E
    }

    static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case 0x30...0x39: return byte - 0x30
        case 0x41...0x46: return byte - 0x41 + 10
        case 0x61...0x66: return byte - 0x61 + 10
        default: return nil
        }
    }

    static func lowercased(_ byte: UInt8) -> UInt8 {
        (byte >= 0x41 && byte <= 0x5A) ? byte | 0x20 : byte
    }

    /// Every `%` is followed by two hex digits.
    static func hasValidPercentEncoding<C: Collection>(_ bytes: C) -> Bool where C.Element == UInt8 {
        var index = bytes.startIndex
        while index != bytes.endIndex {
            if bytes[index] == percent {
                let first = bytes.index(after: index)
                guard first != bytes.endIndex, hexValue(bytes[first]) != nil else { return false }
                let second = bytes.index(after: first)
                guard second != bytes.endIndex, hexValue(bytes[second]) != nil else { return false }
                index = bytes.index(after: second)
            } else {
                index = bytes.index(after: index)
            }
        }
        return true
    }

    /// ASCII case-insensitive comparison of `bytes` with a lowercase ASCII `literal`.
    static func equalsIgnoringCase<C: Collection>(_ bytes: C, _ literal: StaticString) -> Bool
    where C.Element == UInt8 {
        guard bytes.count == literal.utf8CodeUnitCount else { return false }
        return literal.withUTF8Buffer { expected in
            zip(bytes, expected).allSatisfy { lowercased($0) == $1 }
        }
    }

    /// Splits a comma-separated header value into trimmed, lowercased, non-empty elements.
    static func lowercasedList(_ value: String) -> [String] {
        value.split(separator: ",").compactMap { element in
            let trimmed = element.utf8.drop { $0 == space || $0 == tab }
            let end = trimmed.lastIndex { $0 != space && $0 != tab }
            guard let end else { return nil }
            return String(decoding: trimmed[...end].map(lowercased), as: UTF8.self)
        }
    }
}
