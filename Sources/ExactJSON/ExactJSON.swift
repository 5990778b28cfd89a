import Foundation

/// A parsed JSON document that keeps every number as the literal the client wrote, so amounts
/// reach `Decimal` without passing through `Double` (Foundation's `JSONSerialization` and the
/// `JSONValue` enums elsewhere store numbers as `Double`), and keeps object members in order.
///
/// Parsed by `ExactJSONParser`: strict RFC 8259, with duplicate object keys and U+0000 in strings
/// refused (PostgreSQL's `text` cannot hold U+0000, and a duplicate key is ambiguous).
public enum ExactJSON: Sendable, Equatable {
    case null
    case bool(Bool)
    case number(JSONNumber)
    case string(String)
    case array([ExactJSON])
    case object(JSONObject)

    /// Parses UTF-8 JSON text.
    /// - Throws: `JSONSyntaxError` with the byte offset and the reason.
    public static func parse(_ bytes: some Collection<UInt8>, maximumDepth: Int = 64) throws(JSONSyntaxError) -> ExactJSON {
        var parser = ExactJSONParser(bytes: Array(bytes), maximumDepth: maximumDepth)
        return try parser.parseDocument()
    }

    /// Parses JSON text given as a string.
    public static func parse(_ text: String, maximumDepth: Int = 64) throws(JSONSyntaxError) -> ExactJSON {
        try parse(Array(text.utf8), maximumDepth: maximumDepth)
    }

    public var objectValue: JSONObject? {
        if case .object(let object) = self { object } else { nil }
    }

    public var arrayValue: [ExactJSON]? {
        if case .array(let elements) = self { elements } else { nil }
    }

    public var stringValue: String? {
        if case .string(let text) = self { text } else { nil }
    }

    public var numberValue: JSONNumber? {
        if case .number(let number) = self { number } else { nil }
    }

    public var isNull: Bool { self == .null }
}

/// A JSON number as written (`14.15`, `2`, `1.5e3`), valid by the JSON grammar.
public struct JSONNumber: Sendable, Hashable, CustomStringConvertible {
    /// The literal text, exactly as it appeared in the document.
    public let literal: String

    /// Only the parser makes numbers, so the literal always follows the JSON grammar.
    init(validLiteral: String) { self.literal = validLiteral }

    /// Makes a number from a `Decimal` (for documents built in code).
    public init(_ value: Decimal) { self.literal = value.description }

    /// Makes a number from an integer.
    public init(_ value: Int) { self.literal = String(value) }

    /// The exact value, or nil when it does not fit `Decimal` (38 significant digits, exponent
    /// within ±127) without rounding.
    public var decimal: Decimal? {
        let parts = DecimalLiteral(literal)
        guard parts.significantDigits <= 38, parts.exponent >= -128, parts.exponent <= 127 else { return nil }
        return Decimal(string: literal, locale: Locale(identifier: "en_US_POSIX"))
    }

    /// Digits after the decimal point once the value is written without exponent and without
    /// trailing zeros (`14.150` → 2, `1.5e3` → 0, `25e-1` → 1).
    public var fractionDigits: Int { max(0, -DecimalLiteral(literal).exponent) }

    /// Digits before the decimal point of the value written plainly (`14.15` → 2, `1.5e3` → 4,
    /// `0.5` → 0).
    public var integerDigits: Int {
        let parts = DecimalLiteral(literal)
        return max(0, parts.significantDigits + parts.exponent)
    }

    /// True for a whole number, however it is written (`3`, `3.0`, `3e2`).
    public var isInteger: Bool { fractionDigits == 0 }

    /// True when the literal has a fraction part or an exponent (`3.0`, `1e3`), i.e. it was not
    /// written as a plain integer.
    public var hasFractionOrExponent: Bool { literal.contains(where: { $0 == "." || $0 == "e" || $0 == "E" }) }

    public var isNegative: Bool { literal.hasPrefix("-") && DecimalLiteral(literal).significantDigits > 0 }

    public var description: String { literal }
}

/// The significant digits and power of ten of a valid JSON number literal, trailing zeros folded
/// into the exponent: `14.150` → (1415, -2).
struct DecimalLiteral {
    var significantDigits = 0
    var exponent = 0

    init(_ literal: String) {
        var digits: [UInt8] = []
        var fractionCount = 0
        var inFraction = false
        var exponentText = ""
        var inExponent = false
        for byte in literal.utf8 {
            switch byte {
            case UInt8(ascii: "-") where !inExponent, UInt8(ascii: "+"): continue
            case UInt8(ascii: "."): inFraction = true
            case UInt8(ascii: "e"), UInt8(ascii: "E"): inExponent = true
            case _ where inExponent: exponentText.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                digits.append(byte)
                if inFraction { fractionCount += 1 }
            }
        }
        let written = Int(exponentText) ?? (exponentText.isEmpty ? 0 : (exponentText.hasPrefix("-") ? Int.min / 2 : Int.max / 2))
        let leading = digits.firstIndex(where: { $0 != UInt8(ascii: "0") })
        guard let leading else { return }  // zero: no significant digits, exponent 0
        var trailingZeros = 0
        for byte in digits.reversed() {
            guard byte == UInt8(ascii: "0") else { break }
            trailingZeros += 1
        }
        significantDigits = digits.count - leading - trailingZeros
        exponent = written - fractionCount + trailingZeros
    }
}
