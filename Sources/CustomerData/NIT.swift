/// A Colombian NIT (número de identificación tributaria) or other identification number, as the
/// sales history keys it.
///
/// Normalising removes dots and spaces and the hyphen before the check digit
/// (`900.373.923-8` → `9003739238`). A check digit counts as given only after a hyphen, since a
/// bare trailing digit cannot be told apart from the number itself; when given it must match
/// DIAN's modulo-11 rule (`checkDigit(of:)`).
public struct NIT: Sendable, Hashable, CustomStringConvertible {
    /// The number without check digit.
    public let base: String
    /// The check digit, when the value gave one.
    public let checkDigit: Int?

    /// The stored form: the digits, check digit last, without separators.
    public var normalized: String { base + (checkDigit.map(String.init) ?? "") }
    public var description: String { normalized }

    public enum Problem: Error, Sendable, Equatable {
        case empty
        /// A character other than digits, dots, spaces and one hyphen before the last digit.
        case invalidCharacters
        /// The number (without check digit) has fewer or more digits than allowed.
        case length(Int)
        case wrongCheckDigit(given: Int, expected: Int, base: String)
    }

    /// Digits the number may have before the check digit (DIAN's weights cover 15).
    public static let baseDigits = 3...15

    /// DIAN's weights, applied from the rightmost digit of the number.
    private static let weights = [3, 7, 13, 17, 19, 23, 29, 37, 41, 43, 47, 53, 59, 67, 71]

    /// Normalises and checks a NIT as a client wrote it.
    public static func parse(_ raw: String) -> Result<NIT, Problem> {
        let compact = raw.filter { $0 != "." && $0 != " " && $0 != "\u{00A0}" }
        guard !compact.isEmpty else { return .failure(.empty) }
        let parts = compact.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count <= 2, parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isASCIIDigit) }),
              parts.count == 1 || parts[1].count == 1
        else { return .failure(.invalidCharacters) }
        let base = String(parts[0])
        guard baseDigits.contains(base.count) else { return .failure(.length(base.count)) }
        guard parts.count == 2 else { return .success(NIT(base: base, checkDigit: nil)) }
        let given = Int(String(parts[1]))!  // one ASCII digit
        let expected = checkDigit(of: base)
        guard given == expected else { return .failure(.wrongCheckDigit(given: given, expected: expected, base: base)) }
        return .success(NIT(base: base, checkDigit: given))
    }

    /// DIAN's check digit: the digits, from the right, times 3, 7, 13, 17, 19, 23, 29, 37, 41, 43,
    /// 47, 53, 59, 67, 71; r = sum mod 11; the digit is r when r is 0 or 1, else 11 - r.
    /// - Precondition: `base` is 1-15 ASCII digits.
    public static func checkDigit(of base: String) -> Int {
        var sum = 0
        for (weight, digit) in zip(weights, base.reversed()) {
            sum += weight * Int(digit.asciiValue! - UInt8(ascii: "0"))
        }
        let remainder = sum % 11
        return remainder < 2 ? remainder : 11 - remainder
    }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}
