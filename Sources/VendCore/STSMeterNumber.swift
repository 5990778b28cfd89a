/// A prepaid meter number as IEC 62055-41 (STS) writes it: 11 or 13 decimal digits, the last one
/// the Luhn check digit of the others.
public struct STSMeterNumber: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The digits, leading zeros kept (`04040404040`).
    public let digits: String

    /// Why a text is not a meter number.
    public enum Problem: Sendable, Equatable {
        /// Not 11 or 13 ASCII digits.
        case format
        /// The right length, but the last digit is not the Luhn check digit.
        case checkDigit
    }

    /// Accepts `text` as it is (no trimming: clients send the number, not a formatted display).
    /// - Parameter luhnExempt: numbers accepted without the check digit (the demo meter of the
    ///   seed and a provider's sandbox meters, by configuration; empty in production).
    public static func parse(_ text: String, luhnExempt: Set<String> = []) -> Result<STSMeterNumber, ProblemError> {
        let count = text.utf8.count
        guard count == 11 || count == 13, text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else {
            return .failure(ProblemError(problem: .format))
        }
        guard Luhn.isValid(text) || luhnExempt.contains(text) else { return .failure(ProblemError(problem: .checkDigit)) }
        return .success(STSMeterNumber(unchecked: text))
    }

    /// A number already validated (read back from the database).
    public init(unchecked digits: String) { self.digits = digits }

    public init(from decoder: any Decoder) throws {
        digits = try decoder.singleValueContainer().decode(String.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(digits)
    }

    public var description: String { digits }

    /// The `Problem` as an `Error`, for `Result`.
    public struct ProblemError: Error, Sendable, Equatable {
        public let problem: Problem
    }
}
