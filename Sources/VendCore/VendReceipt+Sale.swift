import Foundation

extension VendReceipt {
    /// The receipt for `sale`, sold by `cashier` (the vend user's name). Fees and totals are
    /// computed from the sale's decimals; the credit token comes after any key-change tokens.
    public init(sale: VendSale, cashier: String, reprint: Bool = false) {
        let money = MoneyText.format
        let keyChanges = sale.keyChangeTokens.enumerated().map { index, code in
            Token(amount: money(0), code: code.grouped, receipt: sale.receiptNumber, tax: money(0), tariff: "",
                  units: "", sortOrder: String(index + 1), desc: "Key Change Token \(index + 1)")
        }
        let credit = Token(amount: money(sale.costOfUnits), code: sale.creditToken.grouped, receipt: sale.receiptNumber,
                           tax: money(sale.vat), tariff: sale.tariffName ?? "", units: sale.units,
                           sortOrder: String(keyChanges.count + 1), desc: "Credit Token")
        self.init(
            customerAddress: nil, notes: [], receiptNo: sale.receiptNumber, dateTime: sale.date,
            utilityDetails: UtilityDetails(address: nil, vatNumber: sale.utilityVATNumber, name: sale.customerName,
                                           contactNumber: nil),
            cashier: cashier, reprint: reprint, customerAccountNo: sale.accountNumber ?? "",
            tariffName: sale.tariffName ?? "",
            feeDetails: [
                Fee(amount: money(sale.governmentLevy), tax: money(0), desc: "Total Government Levy"),
                Fee(amount: money(sale.standardCharge), tax: money(0), desc: "Total Standard Charge"),
                Fee(amount: money(sale.vat), tax: money(0), desc: "Total VAT"),
            ],
            customerMessages: ["Credit Vend"],
            totals: Totals(tendered: money(sale.amountTendered), fees: money(sale.fees), total: money(sale.amountTendered),
                           fbeUnits: "", elec: money(sale.costOfUnits), debtRemaining: money(0), tax: "",
                           units: sale.units, debt: "", debtOpeningBalance: money(0)),
            fbeTokens: [], externalClientID: sale.clientID ?? "", customerLocationRef: sale.locationReference ?? "",
            stdTokens: keyChanges + [credit],
            meterDetails: MeterDetails(sale.meter),
            tokenGenTime: sale.date, externalReferenceNumber: sale.providerTransactionID, debtDetails: [],
            tariffBlocks: sale.tariffBlocks.map { TariffBlock(units: "\($0.units)", rate: money($0.rate)) },
            receiptNumber: sale.receiptNumber, customerName: sale.customerName, amountTendered: money(sale.amountTendered))
    }
}

/// The seed's success body: `{"results": "SUCCESS", "message": null, "type": "DISPLAY",
/// "receiptItems": {...}}`.
public struct VendSuccessBody: Sendable, Equatable, Codable {
    public var results = "SUCCESS"
    public var message: String? = nil
    public var type = "DISPLAY"
    public var receiptItems: VendReceipt

    public init(receiptItems: VendReceipt) { self.receiptItems = receiptItems }

    enum CodingKeys: String, CodingKey { case results, message, type, receiptItems }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(results, forKey: .results)
        try c.encode(message, forKey: .message)
        try c.encode(type, forKey: .type)
        try c.encode(receiptItems, forKey: .receiptItems)
    }
}
