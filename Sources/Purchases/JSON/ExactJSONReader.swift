/// A strict RFC 8259 reader over UTF-8 bytes that keeps numbers as their literal text, plus the
/// `NaN`, `Infinity` and `-Infinity` tokens (read as `.nonFinite` so that validation can name the
/// field instead of calling the whole body malformed).
///
/// Nesting is limited (the reader recurses), strings must be valid UTF-8 without raw control
/// characters, and nothing but whitespace may follow the value.
public struct ExactJSONReader {
    public static let maximumDepth = 32

    private let bytes: [UInt8]
    private var index = 0

    private init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// Reads a whole document.
    public static func parse(_ bytes: [UInt8]) throws(ExactJSONSyntaxError) -> ExactJSONValue {
        var reader = ExactJSONReader(bytes: bytes)
        reader.skipWhitespace()
        let value = try reader.parseValue(depth: 0)
        reader.skipWhitespace()
        guard reader.index == bytes.count else { throw reader.error("end of input") }
        return value
    }

    // MARK: Values

    private func peek() -> UInt8? {
        index < bytes.count ? bytes[index] : nil
    }

    private func error(_ expected: String) -> ExactJSONSyntaxError {
        ExactJSONSyntaxError(offset: index, expected: expected)
    }

    private mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D: index += 1
            default: return
            }
        }
    }

    private mutating func parseValue(depth: Int) throws(ExactJSONSyntaxError) -> ExactJSONValue {
        guard depth <= Self.maximumDepth else { throw error("nesting of at most \(Self.maximumDepth) levels") }
        guard let c = peek() else { throw error("a value") }
        switch c {
        case UInt8(ascii: "{"): return try parseObject(depth: depth)
        case UInt8(ascii: "["): return try parseArray(depth: depth)
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): try expectLiteral("true"); return .bool(true)
        case UInt8(ascii: "f"): try expectLiteral("false"); return .bool(false)
        case UInt8(ascii: "n"): try expectLiteral("null"); return .null
        case UInt8(ascii: "N"): try expectLiteral("NaN"); return .nonFinite("NaN")
        case UInt8(ascii: "I"): try expectLiteral("Infinity"); return .nonFinite("Infinity")
        case UInt8(ascii: "-") where index + 1 < bytes.count && bytes[index + 1] == UInt8(ascii: "I"):
            index += 1
            try expectLiteral("Infinity")
            return .nonFinite("-Infinity")
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try parseNumber())
        default: throw error("a value")
        }
    }

    private mutating func expectLiteral(_ literal: StaticString) throws(ExactJSONSyntaxError) {
        let count = literal.utf8CodeUnitCount
        let matches = literal.withUTF8Buffer { expected in
            index + count <= bytes.count && (0..<count).allSatisfy { bytes[index + $0] == expected[$0] }
        }
        guard matches else { throw error("'\(literal)'") }
        index += count
    }

    /// After an element: `,` means more follow, `closing` ends the container.
    private mutating func consumeSeparator(closing: UInt8) throws(ExactJSONSyntaxError) -> Bool {
        skipWhitespace()
        let expected = "',' or '\(Character(UnicodeScalar(closing)))'"
        guard let c = peek() else { throw error(expected) }
        if c == UInt8(ascii: ",") {
            index += 1
            return false
        }
        guard c == closing else { throw error(expected) }
        index += 1
        return true
    }

    private mutating func parseObject(depth: Int) throws(ExactJSONSyntaxError) -> ExactJSONValue {
        index += 1
        var object = ExactJSONObject()
        skipWhitespace()
        if peek() == UInt8(ascii: "}") {
            index += 1
            return .object(object)
        }
        while true {
            skipWhitespace()
            guard peek() == UInt8(ascii: "\"") else { throw error("a member name in double quotes") }
            let key = try parseString()
            skipWhitespace()
            guard peek() == UInt8(ascii: ":") else { throw error("':'") }
            index += 1
            skipWhitespace()
            object.append(key, try parseValue(depth: depth + 1))
            if try consumeSeparator(closing: UInt8(ascii: "}")) { return .object(object) }
        }
    }

    private mutating func parseArray(depth: Int) throws(ExactJSONSyntaxError) -> ExactJSONValue {
        index += 1
        var elements: [ExactJSONValue] = []
        skipWhitespace()
        if peek() == UInt8(ascii: "]") {
            index += 1
            return .array(elements)
        }
        while true {
            skipWhitespace()
            elements.append(try parseValue(depth: depth + 1))
            if try consumeSeparator(closing: UInt8(ascii: "]")) { return .array(elements) }
        }
    }

    // MARK: Numbers and strings

    /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`, returned as written.
    private mutating func parseNumber() throws(ExactJSONSyntaxError) -> String {
        let start = index
        if peek() == UInt8(ascii: "-") { index += 1 }
        guard let first = peek(), isDigit(first) else { throw error("a digit") }
        index += 1
        if first != UInt8(ascii: "0") { skipDigits() }
        if peek() == UInt8(ascii: ".") {
            index += 1
            guard let digit = peek(), isDigit(digit) else { throw error("a digit after '.'") }
            skipDigits()
        }
        if peek() == UInt8(ascii: "e") || peek() == UInt8(ascii: "E") {
            index += 1
            if peek() == UInt8(ascii: "+") || peek() == UInt8(ascii: "-") { index += 1 }
            guard let digit = peek(), isDigit(digit) else { throw error("a digit in the exponent") }
            skipDigits()
        }
        return String(decoding: bytes[start..<index], as: UTF8.self)
    }

    private func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    private mutating func skipDigits() {
        while let byte = peek(), isDigit(byte) { index += 1 }
    }

    /// A string without escapes is one slice; escapes (including surrogate pairs) are decoded.
    private mutating func parseString() throws(ExactJSONSyntaxError) -> String {
        index += 1
        let start = index
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                defer { index += 1 }
                return try validUTF8(bytes[start..<index])
            }
            if byte == UInt8(ascii: "\\") { return try parseEscapedString(from: start) }
            guard byte >= 0x20 else { throw error("no control character inside a string") }
            index += 1
        }
        throw error("'\"' closing the string")
    }

    private mutating func parseEscapedString(from start: Int) throws(ExactJSONSyntaxError) -> String {
        var decoded = Array(bytes[start..<index])
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\""):
                index += 1
                return try validUTF8(decoded[...])
            case UInt8(ascii: "\\"):
                index += 1
                guard let escape = peek() else { throw error("an escape character") }
                index += 1
                switch escape {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): decoded.append(escape)
                case UInt8(ascii: "b"): decoded.append(0x08)
                case UInt8(ascii: "f"): decoded.append(0x0C)
                case UInt8(ascii: "n"): decoded.append(0x0A)
                case UInt8(ascii: "r"): decoded.append(0x0D)
                case UInt8(ascii: "t"): decoded.append(0x09)
                case UInt8(ascii: "u"): try appendUnicodeEscape(to: &decoded)
                default:
                    index -= 1
                    throw error("a valid escape (\\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)")
                }
            default:
                guard byte >= 0x20 else { throw error("no control character inside a string") }
                decoded.append(byte)
                index += 1
            }
        }
        throw error("'\"' closing the string")
    }

    /// `\uXXXX`, with a high surrogate followed by `\uXXXX` of a low one; a lone surrogate is an error.
    private mutating func appendUnicodeEscape(to decoded: inout [UInt8]) throws(ExactJSONSyntaxError) {
        var scalar = try hexQuad()
        if (0xD800...0xDBFF).contains(scalar) {
            guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") else {
                throw error("a low surrogate after a high one")
            }
            index += 2
            let low = try hexQuad()
            guard (0xDC00...0xDFFF).contains(low) else { throw error("a low surrogate after a high one") }
            scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
        } else if (0xDC00...0xDFFF).contains(scalar) {
            throw error("no lone low surrogate")
        }
        guard let unicode = Unicode.Scalar(scalar) else { throw error("a Unicode scalar") }
        decoded.append(contentsOf: Array(String(Character(unicode)).utf8))
    }

    private mutating func hexQuad() throws(ExactJSONSyntaxError) -> UInt32 {
        guard index + 4 <= bytes.count else { throw error("four hex digits") }
        var value: UInt32 = 0
        for byte in bytes[index..<(index + 4)] {
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw error("four hex digits")
            }
            value = value << 4 | UInt32(digit)
        }
        index += 4
        return value
    }

    private func validUTF8(_ slice: ArraySlice<UInt8>) throws(ExactJSONSyntaxError) -> String {
        guard let text = String(validating: slice, as: UTF8.self) else { throw error("a string of valid UTF-8") }
        return text
    }
}
