import Foundation

/// A confirmed sale as a provider reports it, in the provider's terms (PrepaidPlus'
/// `creditVendReceipt`); `VendReceipt(sale:)` turns it into the seed's receipt.
public struct VendSale: Sendable, Equatable, Codable {
    /// The provider's own id of the sale (PrepaidPlus `transactionId`).
    public var providerTransactionID: String
    /// Our transID, as the provider echoes it (`clientSaleId`).
    public var clientSaleID: String
    /// The utility's receipt number (`receiptNo`).
    public var receiptNumber: String
    /// When the token was made, as the provider writes it: `YYYY-MM-DD HH:MM:SS`, local time.
    public var date: String
    public var customerName: String
    public var accountNumber: String?
    public var locationReference: String?
    /// The provider's id of the merchant (`clientId`).
    public var clientID: String?
    public var utilityVATNumber: String?
    public var tariffName: String?
    public var meter: VendMeterDetails
    public var amountTendered: Decimal
    /// What the electricity itself cost: tendered minus the charges below.
    public var costOfUnits: Decimal
    public var standardCharge: Decimal
    public var governmentLevy: Decimal
    public var vat: Decimal
    /// Units as the provider writes them (`100`, `9.6kWh`).
    public var units: String
    /// Key-change tokens in the order they must be entered (PrepaidPlus `keychangetoken1`, then
    /// `keychangetoken2`); empty unless the meter's keys change with this sale.
    public var keyChangeTokens: [STSTokenCode]
    public var creditToken: STSTokenCode
    public var tariffBlocks: [VendTariffBlock]

    public init(providerTransactionID: String, clientSaleID: String, receiptNumber: String, date: String,
                customerName: String, accountNumber: String? = nil, locationReference: String? = nil,
                clientID: String? = nil, utilityVATNumber: String? = nil, tariffName: String? = nil,
                meter: VendMeterDetails, amountTendered: Decimal, costOfUnits: Decimal, standardCharge: Decimal,
                governmentLevy: Decimal, vat: Decimal, units: String, keyChangeTokens: [STSTokenCode] = [],
                creditToken: STSTokenCode, tariffBlocks: [VendTariffBlock] = []) {
        self.providerTransactionID = providerTransactionID
        self.clientSaleID = clientSaleID
        self.receiptNumber = receiptNumber
        self.date = date
        self.customerName = customerName
        self.accountNumber = accountNumber
        self.locationReference = locationReference
        self.clientID = clientID
        self.utilityVATNumber = utilityVATNumber
        self.tariffName = tariffName
        self.meter = meter
        self.amountTendered = amountTendered
        self.costOfUnits = costOfUnits
        self.standardCharge = standardCharge
        self.governmentLevy = governmentLevy
        self.vat = vat
        self.units = units
        self.keyChangeTokens = keyChangeTokens
        self.creditToken = creditToken
        self.tariffBlocks = tariffBlocks
    }

    /// The charges retained from the tendered amount.
    public var fees: Decimal { standardCharge + governmentLevy + vat }
}

/// A meter's STS parameters as printed on a receipt.
public struct VendMeterDetails: Sendable, Equatable, Codable {
    public var number: String
    /// Supply group code.
    public var sgc: String
    /// Tariff index.
    public var ti: String
    /// Key revision number.
    public var krn: String
    /// Token technology.
    public var tt: String
    /// Encryption algorithm.
    public var alg: String

    public init(number: String, sgc: String = "", ti: String = "", krn: String = "", tt: String = "", alg: String = "") {
        self.number = number
        self.sgc = sgc
        self.ti = ti
        self.krn = krn
        self.tt = tt
        self.alg = alg
    }
}

/// One step of a block tariff: units sold at a rate.
public struct VendTariffBlock: Sendable, Equatable, Codable {
    public var units: Decimal
    public var rate: Decimal

    public init(units: Decimal, rate: Decimal) {
        self.units = units
        self.rate = rate
    }
}
