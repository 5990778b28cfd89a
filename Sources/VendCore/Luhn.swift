/// The Luhn (mod 10) check digit of ISO/IEC 7812-1, which IEC 62055-41 uses for the last digit of
/// an STS meter number.
public enum Luhn {
    /// Whether the last digit of `digits` is the Luhn check digit of the ones before it.
    /// False for an empty string or any character that is not an ASCII digit.
    public static func isValid(_ digits: String) -> Bool {
        guard let values = asciiDigits(digits), !values.isEmpty else { return false }
        return sum(values, doublingFirst: false) % 10 == 0
    }

    /// The check digit to append to `payload` (ASCII digits), or nil when it holds anything else.
    public static func checkDigit(for payload: String) -> Int? {
        guard let values = asciiDigits(payload) else { return nil }
        return (10 - sum(values, doublingFirst: true) % 10) % 10
    }

    /// Sums from the rightmost digit, doubling every second one (the rightmost itself when
    /// `doublingFirst`, as for a payload whose check digit is still to come).
    private static func sum(_ values: [Int], doublingFirst: Bool) -> Int {
        var total = 0
        for (offset, value) in values.reversed().enumerated() {
            let doubled = (offset % 2 == 0) == doublingFirst
            total += doubled ? (value * 2 > 9 ? value * 2 - 9 : value * 2) : value
        }
        return total
    }

    private static func asciiDigits(_ text: String) -> [Int]? {
        var values: [Int] = []
        values.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            guard byte >= 0x30 && byte <= 0x39 else { return nil }
            values.append(Int(byte - 0x30))
        }
        return values
    }
}
