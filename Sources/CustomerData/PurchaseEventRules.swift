import Foundation

/// Limits the seed leaves open (docs/CUSTOMER-DATA.md says why each is what it is).
public struct PurchaseEventRules: Sendable {
    /// How far past now `performed_on` may lie (configurable: `customerEventsFutureHorizonSeconds`).
    public var futureHorizon: TimeInterval = 900
    /// No event before 2000-01-01T00:00:00Z.
    public var earliest: Int64 = 946_684_800
    public var maximumProducts = 1000
    public var maximumFractionDigits = 6
    public var maximumIntegerDigits = 15
    /// Longest reference number, code, SKU, CIM or payment medium identifier.
    public var maximumTextLength = 100

    public init(futureHorizon: TimeInterval = 900) {
        self.futureHorizon = futureHorizon
    }
}

/// ISO 4217 currency codes in use, from the platform's locale data (ICU), so the list is not
/// written out by hand here.
public enum CurrencyCodes {
    static let current: Set<String> = Set(Locale.commonISOCurrencyCodes)

    public static func isISO4217(_ code: String) -> Bool { current.contains(code) }
}
