import Foundation

/// What amounts may be bought: at least `minimum` (the seed's 10.00), at most `maximum` (the
/// provider's default limit, 5,000), and whole currency units, since the provider vends whole
/// units only (PrepaidPlus `transactionAmount` is an integer).
public struct VendAmountRules: Sendable, Equatable {
    public var minimum: Decimal
    public var maximum: Decimal

    public init(minimum: Decimal = 10, maximum: Decimal = 5_000) {
        self.minimum = minimum
        self.maximum = maximum
    }

    /// The amount if acceptable, else the refusal. A fraction is refused (never rounded) with the
    /// seed's message, which asks for an integer.
    public func check(_ amount: Decimal) -> Result<Decimal, VendRefusal> {
        guard amount.isFinite, MoneyText.isWhole(amount) else { return .failure(.requiredFieldsOrInteger) }
        if amount < minimum { return .failure(.amountBelowMinimum(minimum: MoneyText.format(minimum))) }
        if amount > maximum { return .failure(.amountAboveMaximum(maximum: MoneyText.format(maximum))) }
        return .success(amount)
    }
}
