import Foundation

/// An energy purchase in MW, exact to the kW (three decimals), held as a whole number of kW.
///
/// Parsed straight from the JSON number's text, never through `Double`; `megawatts` gives the
/// `Decimal`, `text` the canonical form (`12.000`, `-0.125`) that PostgreSQL's `numeric` reads.
public struct PurchaseQuantity: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let kilowatts: Int64

    public init(kilowatts: Int64) {
        self.kilowatts = kilowatts
    }

    /// Why a JSON number is not an acceptable quantity.
    public enum ParseFailure: Error, Equatable, Sendable {
        /// More than three significant decimals (finer than a kW).
        case tooPrecise
        /// Larger in magnitude than this parser's range (more than 15 integer digits).
        case outOfRange
        /// Not a JSON number at all.
        case malformed
    }

    /// Largest magnitude representable: 15 integer digits of MW.
    public static let maximumIntegerDigits = 15

    /// Parses a JSON number literal (`-?int(.frac)?([eE][+-]?exp)?`) exactly. Trailing zeros do not
    /// count as precision (`1.2500` is 1.25); an exponent shifts the point (`1.5e-3` has 4 decimals).
    public init(jsonNumber text: String) throws(ParseFailure) {
        var bytes = Array(text.utf8)[...]
        let negative = bytes.first == UInt8(ascii: "-")
        if negative { bytes = bytes.dropFirst() }
        var digits: [UInt8] = []
        var fractionDigits = 0
        var seenPoint = false
        while let byte = bytes.first, byte != UInt8(ascii: "e"), byte != UInt8(ascii: "E") {
            bytes = bytes.dropFirst()
            if byte == UInt8(ascii: ".") {
                guard !seenPoint else { throw .malformed }
                seenPoint = true
                continue
            }
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { throw .malformed }
            digits.append(byte - UInt8(ascii: "0"))
            if seenPoint { fractionDigits += 1 }
        }
        guard !digits.isEmpty else { throw .malformed }
        var exponent = 0
        if !bytes.isEmpty {
            bytes = bytes.dropFirst()
            exponent = try Self.exponent(bytes)
        }
        // value = digits × 10^(-scale)
        var scale = fractionDigits - exponent
        let leadingZeros = digits.prefix { $0 == 0 }.count
        digits.removeFirst(min(leadingZeros, digits.count - 1))
        while digits.count > 1, digits.last == 0, scale > 0 {
            digits.removeLast()
            scale -= 1
        }
        if digits == [0] {
            kilowatts = 0
            return
        }
        guard digits.count - scale <= Self.maximumIntegerDigits else { throw .outOfRange }
        guard scale <= 3 else { throw .tooPrecise }
        var value: Int64 = 0
        for digit in digits { value = value * 10 + Int64(digit) }
        for _ in 0..<(3 - scale) { value *= 10 }
        kilowatts = negative ? -value : value
    }

    /// The exponent's value, saturated far beyond any range check so that `1e99999999999999999999`
    /// cannot overflow.
    private static func exponent(_ bytes: ArraySlice<UInt8>) throws(ParseFailure) -> Int {
        var bytes = bytes
        var negative = false
        if let sign = bytes.first, sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") {
            negative = sign == UInt8(ascii: "-")
            bytes = bytes.dropFirst()
        }
        guard !bytes.isEmpty else { throw .malformed }
        var value = 0
        for byte in bytes {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { throw .malformed }
            value = min(value * 10 + Int(byte - UInt8(ascii: "0")), 1_000_000)
        }
        return negative ? -value : value
    }

    /// The quantity in MW, exactly.
    public var megawatts: Decimal {
        Decimal(sign: kilowatts < 0 ? .minus : .plus, exponent: -3, significand: Decimal(kilowatts.magnitude))
    }

    /// MW with exactly three decimals, e.g. `12.000`, `-0.125`.
    public var text: String {
        let magnitude = kilowatts.magnitude
        let fraction = String(magnitude % 1000)
        let padded = String(repeating: "0", count: 3 - fraction.count) + fraction
        return (kilowatts < 0 ? "-" : "") + String(magnitude / 1000) + "." + padded
    }

    public var description: String { text }

    public var isNegative: Bool { kilowatts < 0 }

    public static func < (lhs: PurchaseQuantity, rhs: PurchaseQuantity) -> Bool { lhs.kilowatts < rhs.kilowatts }
}
