/// An STS token as the customer keys it into the meter: 20 decimal digits (a 66-bit number,
/// IEC 62055-41), displayed in five groups of four (`3871 0157 9312 8553 5068`).
///
/// Provider receipts are taken as they come (PrepaidPlus' own example shows a 16-digit key-change
/// token), so any run of up to 40 digits is kept; `isStandardLength` tells a 20-digit one.
public struct STSTokenCode: Sendable, Hashable, Codable, CustomStringConvertible, CustomReflectable {
    /// The 20 digits without spaces.
    public let digits: String

    /// Accepts 1–40 digits with or without the spaces of the display form; nil otherwise.
    public init?(_ text: String) {
        let compact = String(text.filter { $0 != " " })
        guard (1...40).contains(compact.utf8.count), compact.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        digits = compact
    }

    /// Whether it has the 20 digits of an STS token.
    public var isStandardLength: Bool { digits.utf8.count == 20 }

    /// `1234 5678 9012 3456 7890`.
    public var grouped: String {
        var out = ""
        for (index, character) in digits.enumerated() {
            if index > 0 && index % 4 == 0 { out.append(" ") }
            out.append(character)
        }
        return out
    }

    /// Never the digits themselves: a token is money, and descriptions end up in logs.
    public var description: String { "STSTokenCode(…\(digits.suffix(2)))" }
    public var customMirror: Mirror { Mirror(self, children: ["digits": "…\(digits.suffix(2))"]) }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let code = STSTokenCode(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not an STS token (digits)"))
        }
        self = code
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(grouped)
    }
}
