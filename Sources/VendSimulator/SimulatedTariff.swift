import Foundation
import VendCore

/// How the simulator splits a tendered amount, in `Decimal` throughout: VAT included at 14%
/// (Botswana's rate), a government levy and a standard charge on the amount before VAT, the rest
/// buys units at the tariff's rate. The parts always add up to the tendered amount exactly.
public struct SimulatedTariff: Sendable, Equatable {
    public var name: String
    /// Currency units per kWh.
    public var rate: Decimal
    /// Shares of the amount before VAT.
    public var levyShare: Decimal
    public var standardChargeShare: Decimal
    public var vatRate: Decimal

    public static let domestic = SimulatedTariff(name: "Domestic", rate: Decimal(string: "1.05")!,
                                                 levyShare: Decimal(string: "0.05")!, standardChargeShare: 0,
                                                 vatRate: Decimal(string: "0.14")!)
    public static let business = SimulatedTariff(name: "Business", rate: Decimal(string: "1.25")!,
                                                 levyShare: Decimal(string: "0.05")!, standardChargeShare: Decimal(string: "0.02")!,
                                                 vatRate: Decimal(string: "0.14")!)

    public struct Split: Sendable, Equatable {
        public var vat: Decimal
        public var governmentLevy: Decimal
        public var standardCharge: Decimal
        public var costOfUnits: Decimal
        /// kWh to one decimal.
        public var units: Decimal
    }

    public func split(_ tendered: Decimal) -> Split {
        let vat = MoneyText.round(tendered * vatRate / (1 + vatRate), scale: 2)
        let net = tendered - vat
        let levy = MoneyText.round(net * levyShare, scale: 2)
        let standard = MoneyText.round(net * standardChargeShare, scale: 2)
        let cost = tendered - vat - levy - standard
        return Split(vat: vat, governmentLevy: levy, standardCharge: standard, costOfUnits: cost,
                     units: MoneyText.round(cost / rate, scale: 1))
    }
}
