/// A JSON value as read from a telemetry or meter delivery.
///
/// The ingest path has its own small reader (rather than `JSONSerialization`) for three reasons:
/// it reports *where* a body is malformed, it keeps the byte range of each top-level array element
/// so that an invalid element can be dead-lettered verbatim, and it tells numbers from booleans.
public enum TelemetryJSONValue: Equatable, Sendable {
    case null
    case bool(Bool)
    /// Non-finite values arrive only through the non-standard `NaN`/`Infinity` tokens or through
    /// overflow (`1e999`); the reader keeps them so that validation can name the field.
    case number(Double)
    case string(String)
    case array([TelemetryJSONValue])
    case object(TelemetryJSONObject)

    var typeName: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .number: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }
}

/// The members of a JSON object in document order. Lookups are linear: samples have a handful of
/// members, and comparing a few short keys costs less than hashing them (hashing showed up as a
/// tenth of the ingest profile). Equality ignores order.
public struct TelemetryJSONObject: Equatable, Sendable, ExpressibleByDictionaryLiteral {
    public private(set) var members: [(key: String, value: TelemetryJSONValue)]
    /// Built once an object grows large, so that a hostile body with thousands of keys stays linear.
    private var keyIndex: Set<String>?

    public init(dictionaryLiteral elements: (String, TelemetryJSONValue)...) {
        members = elements.map { (key: $0.0, value: $0.1) }
    }

    init() { members = [] }

    public subscript(key: String) -> TelemetryJSONValue? {
        for member in members where member.key == key { return member.value }
        return nil
    }

    public var count: Int { members.count }

    /// Adds a member; false when the key is already present.
    mutating func insert(_ key: String, _ value: TelemetryJSONValue) -> Bool {
        if members.count < 32 {
            for member in members where member.key == key { return false }
        } else {
            if keyIndex == nil { keyIndex = Set(members.map(\.key)) }
            guard keyIndex!.insert(key).inserted else { return false }
        }
        members.append((key, value))
        return true
    }

    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.members.count == rhs.members.count && lhs.members.allSatisfy { rhs[$0.key] == $0.value }
    }
}

/// Why a body is not JSON, with the byte offset where reading stopped.
public struct TelemetryJSONSyntaxError: Error, Equatable, Sendable, CustomStringConvertible {
    public let offset: Int
    public let expected: String
    public var description: String { "malformed JSON at byte \(offset): \(expected)" }
}

/// The top level of a delivery: one value, or an array whose elements keep their byte ranges.
public enum TelemetryJSONDocument: Sendable {
    case single(TelemetryJSONValue)
    case array([(value: TelemetryJSONValue, range: Range<Int>)])
}

/// A strict RFC 8259 reader over UTF-8 bytes (plus `NaN`, `Infinity`, `-Infinity`, read as
/// numbers so that validation can reject them by field name). Duplicate object keys are an error:
/// a sample whose `soc` is given twice is ambiguous.
public struct TelemetryJSONParser {
    public static let maximumDepth = 32

    private let bytes: [UInt8]
    private var index = 0

    public init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// Reads a whole document; anything but whitespace after the value is an error.
    public static func parseDocument(_ bytes: [UInt8]) throws(TelemetryJSONSyntaxError) -> TelemetryJSONDocument {
        var parser = TelemetryJSONParser(bytes: bytes)
        parser.skipWhitespace()
        let document: TelemetryJSONDocument
        if parser.peek() == UInt8(ascii: "[") {
            parser.index += 1
            var elements: [(value: TelemetryJSONValue, range: Range<Int>)] = []
            parser.skipWhitespace()
            if parser.peek() == UInt8(ascii: "]") {
                parser.index += 1
            } else {
                while true {
                    parser.skipWhitespace()
                    let start = parser.index
                    let value = try parser.parseValue(depth: 1)
                    elements.append((value, start..<parser.index))
                    parser.skipWhitespace()
                    if try parser.consumeSeparator(closing: UInt8(ascii: "]")) { break }
                }
            }
            document = .array(elements)
        } else {
            document = .single(try parser.parseValue(depth: 0))
        }
        parser.skipWhitespace()
        guard parser.index == bytes.count else { throw parser.error("end of input") }
        return document
    }

    /// Reads one value and requires the end of input after it.
    public static func parseValue(_ bytes: [UInt8]) throws(TelemetryJSONSyntaxError) -> TelemetryJSONValue {
        var parser = TelemetryJSONParser(bytes: bytes)
        parser.skipWhitespace()
        let value = try parser.parseValue(depth: 0)
        parser.skipWhitespace()
        guard parser.index == bytes.count else { throw parser.error("end of input") }
        return value
    }

    // MARK: Reader

    private func peek() -> UInt8? {
        index < bytes.count ? bytes[index] : nil
    }

    private func error(_ expected: String) -> TelemetryJSONSyntaxError {
        TelemetryJSONSyntaxError(offset: index, expected: "expected \(expected)")
    }

    private mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D: index += 1
            default: return
            }
        }
    }

    /// After an element: `,` means more follow, `closing` ends the container.
    private mutating func consumeSeparator(closing: UInt8) throws(TelemetryJSONSyntaxError) -> Bool {
        guard let c = peek() else { throw error("',' or '\(Character(UnicodeScalar(closing)))'") }
        index += 1
        if c == UInt8(ascii: ",") { return false }
        if c == closing { return true }
        index -= 1
        throw error("',' or '\(Character(UnicodeScalar(closing)))'")
    }

    private mutating func parseValue(depth: Int) throws(TelemetryJSONSyntaxError) -> TelemetryJSONValue {
        guard depth <= Self.maximumDepth else { throw error("nesting of at most \(Self.maximumDepth) levels") }
        guard let c = peek() else { throw error("a value") }
        switch c {
        case UInt8(ascii: "{"): return try parseObject(depth: depth)
        case UInt8(ascii: "["): return try parseArray(depth: depth)
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): try expectLiteral("true"); return .bool(true)
        case UInt8(ascii: "f"): try expectLiteral("false"); return .bool(false)
        case UInt8(ascii: "n"): try expectLiteral("null"); return .null
        case UInt8(ascii: "N"): try expectLiteral("NaN"); return .number(.nan)
        case UInt8(ascii: "I"): try expectLiteral("Infinity"); return .number(.infinity)
        case UInt8(ascii: "-") where index + 1 < bytes.count && bytes[index + 1] == UInt8(ascii: "I"):
            index += 1
            try expectLiteral("Infinity")
            return .number(-.infinity)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try parseNumber())
        default: throw error("a value")
        }
    }

    private mutating func expectLiteral(_ literal: StaticString) throws(TelemetryJSONSyntaxError) {
        let count = literal.utf8CodeUnitCount
        let matches = literal.withUTF8Buffer { expected in
            index + count <= bytes.count && (0..<count).allSatisfy { bytes[index + $0] == expected[$0] }
        }
        guard matches else { throw error("'\(literal)'") }
        index += count
    }

    private mutating func parseObject(depth: Int) throws(TelemetryJSONSyntaxError) -> TelemetryJSONValue {
        index += 1
        var members = TelemetryJSONObject()
        skipWhitespace()
        if peek() == UInt8(ascii: "}") {
            index += 1
            return .object(members)
        }
        while true {
            skipWhitespace()
            guard peek() == UInt8(ascii: "\"") else { throw error("a member name in double quotes") }
            let keyOffset = index
            let key = try parseString()
            skipWhitespace()
            guard peek() == UInt8(ascii: ":") else { throw error("':'") }
            index += 1
            skipWhitespace()
            let value = try parseValue(depth: depth + 1)
            guard members.insert(key, value) else {
                throw TelemetryJSONSyntaxError(offset: keyOffset, expected: "duplicate member \"\(key)\"")
            }
            skipWhitespace()
            if try consumeSeparator(closing: UInt8(ascii: "}")) { return .object(members) }
        }
    }

    private mutating func parseArray(depth: Int) throws(TelemetryJSONSyntaxError) -> TelemetryJSONValue {
        index += 1
        var elements: [TelemetryJSONValue] = []
        skipWhitespace()
        if peek() == UInt8(ascii: "]") {
            index += 1
            return .array(elements)
        }
        while true {
            skipWhitespace()
            elements.append(try parseValue(depth: depth + 1))
            skipWhitespace()
            if try consumeSeparator(closing: UInt8(ascii: "]")) { return .array(elements) }
        }
    }

    private mutating func parseNumber() throws(TelemetryJSONSyntaxError) -> Double {
        let start = index
        if peek() == UInt8(ascii: "-") { index += 1 }
        func isDigit(_ c: UInt8?) -> Bool { c.map { $0 >= 0x30 && $0 <= 0x39 } ?? false }
        guard isDigit(peek()) else { throw error("a digit") }
        if peek() == UInt8(ascii: "0") {
            index += 1
        } else {
            while isDigit(peek()) { index += 1 }
        }
        if peek() == UInt8(ascii: ".") {
            index += 1
            guard isDigit(peek()) else { throw error("a digit after '.'") }
            while isDigit(peek()) { index += 1 }
        }
        if peek() == UInt8(ascii: "e") || peek() == UInt8(ascii: "E") {
            index += 1
            if peek() == UInt8(ascii: "+") || peek() == UInt8(ascii: "-") { index += 1 }
            guard isDigit(peek()) else { throw error("a digit in the exponent") }
            while isDigit(peek()) { index += 1 }
        }
        if let exact = fastDecimal(start..<index) { return exact }
        let text = String(decoding: bytes[start..<index], as: UTF8.self)
        // The grammar was checked above, so only overflow remains: Double("1e999") is +inf.
        guard let value = Double(text) else { throw TelemetryJSONSyntaxError(offset: start, expected: "a number") }
        return value
    }

    private static let powersOfTen: [Double] = (0...22).map { pow10($0) }

    private static func pow10(_ exponent: Int) -> Double {
        var value = 1.0
        for _ in 0..<exponent { value *= 10 }  // exact up to 1e22
        return value
    }

    /// Clinger's fast path for plain decimals (`-12.345`, no exponent): with at most 15
    /// significant digits and 22 fraction digits, mantissa and power of ten are exact doubles and
    /// one division rounds correctly, so the result equals `Double(text)` without building a String.
    private func fastDecimal(_ range: Range<Int>) -> Double? {
        var mantissa: Int64 = 0
        var digits = 0
        var fractionDigits = 0
        var inFraction = false
        var negative = false
        for index in range {
            let c = bytes[index]
            switch c {
            case UInt8(ascii: "-"): negative = true
            case UInt8(ascii: "."): inFraction = true
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                if mantissa != 0 || c != UInt8(ascii: "0") { digits += 1 }
                guard digits <= 15 else { return nil }
                mantissa = mantissa * 10 + Int64(c - UInt8(ascii: "0"))
                if inFraction { fractionDigits += 1 }
            default: return nil  // exponent: leave it to the full parser
            }
        }
        guard fractionDigits <= 22 else { return nil }
        let magnitude = Double(mantissa) / Self.powersOfTen[fractionDigits]
        return negative ? -magnitude : magnitude
    }

    private mutating func parseString() throws(TelemetryJSONSyntaxError) -> String {
        index += 1
        let start = index
        // Fast path: no escapes.
        while index < bytes.count {
            let c = bytes[index]
            if c == UInt8(ascii: "\"") {
                let text = String(decoding: bytes[start..<index], as: UTF8.self)
                index += 1
                return text
            }
            if c == UInt8(ascii: "\\") { break }
            guard c >= 0x20 else { throw error("no control characters inside a string") }
            index += 1
        }
        var scalars = Array(bytes[start..<index])
        while true {
            guard index < bytes.count else { throw error("'\"' to close the string") }
            let c = bytes[index]
            if c == UInt8(ascii: "\"") {
                index += 1
                return String(decoding: scalars, as: UTF8.self)
            }
            guard c >= 0x20 else { throw error("no control characters inside a string") }
            guard c == UInt8(ascii: "\\") else {
                scalars.append(c)
                index += 1
                continue
            }
            index += 1
            guard let escape = peek() else { throw error("an escape character") }
            index += 1
            switch escape {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): scalars.append(escape)
            case UInt8(ascii: "b"): scalars.append(0x08)
            case UInt8(ascii: "f"): scalars.append(0x0C)
            case UInt8(ascii: "n"): scalars.append(0x0A)
            case UInt8(ascii: "r"): scalars.append(0x0D)
            case UInt8(ascii: "t"): scalars.append(0x09)
            case UInt8(ascii: "u"):
                var code = try parseHex4()
                if (0xD800...0xDBFF).contains(code) {
                    guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u")
                    else { throw error("a low surrogate escape") }
                    index += 2
                    let low = try parseHex4()
                    guard (0xDC00...0xDFFF).contains(low) else { throw error("a low surrogate escape") }
                    code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                } else if (0xDC00...0xDFFF).contains(code) {
                    throw error("a high surrogate before a low one")
                }
                guard let scalar = Unicode.Scalar(code) else { throw error("a Unicode scalar") }
                scalars.append(contentsOf: Array(String(Character(scalar)).utf8))
            default:
                index -= 1
                throw error("a valid escape")
            }
        }
    }

    private mutating func parseHex4() throws(TelemetryJSONSyntaxError) -> UInt32 {
        guard index + 4 <= bytes.count else { throw error("four hex digits") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let c = bytes[index]
            let digit: UInt32
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(c - 0x30)
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(c - 0x61 + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(c - 0x41 + 10)
            default: throw error("four hex digits")
            }
            value = value << 4 | digit
            index += 1
        }
        return value
    }
}
