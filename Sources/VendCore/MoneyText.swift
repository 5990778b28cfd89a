import Foundation

/// Money as the seed writes it: a string with exactly two decimals (`"50.00"`), computed with
/// `Decimal` throughout and never through `Double`.
public enum MoneyText {
    /// `value` rounded half away from zero to two decimals, written with both decimals.
    public static func format(_ value: Decimal) -> String {
        let rounded = round(value, scale: 2)
        let negative = rounded < 0
        let cents = (negative ? -rounded : rounded) * 100
        // `cents` is whole now; its description has no fraction and no exponent.
        var digits = NSDecimalNumber(decimal: cents).stringValue
        while digits.count < 3 { digits = "0" + digits }
        let split = digits.index(digits.endIndex, offsetBy: -2)
        return (negative ? "-" : "") + digits[..<split] + "." + digits[split...]
    }

    /// `value` rounded half away from zero (`.plain`) to `scale` decimals.
    public static func round(_ value: Decimal, scale: Int) -> Decimal {
        var input = value
        var output = Decimal()
        NSDecimalRound(&output, &input, scale, .plain)
        return output
    }

    /// Parses a plain decimal number (`50`, `50.00`, `-1.5`): no exponent, no spaces, no sign `+`.
    public static func parse(_ text: String) -> Decimal? {
        guard text.utf8.count <= 40,
              text.range(of: #"^-?[0-9]+(\.[0-9]+)?$"#, options: .regularExpression) != nil else { return nil }
        return Decimal(string: text, locale: Locale(identifier: "en_US_POSIX"))
    }

    /// Whether `value` has no fractional part.
    public static func isWhole(_ value: Decimal) -> Bool {
        var input = value
        var truncated = Decimal()
        NSDecimalRound(&truncated, &input, 0, .down)
        return truncated == value
    }
}
