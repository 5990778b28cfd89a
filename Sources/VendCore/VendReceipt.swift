/// The receipt of the seed's success response (`receiptItems`), key for key and type for type:
/// money as two-decimal strings, dates as `YYYY-MM-DD HH:MM:SS`, and `null` exactly where the seed
/// shows `null` (a field the seed shows as a string is `""` when there is nothing to say).
public struct VendReceipt: Sendable, Equatable, Codable {
    public var customerAddress: String?
    public var notes: [String]
    public var receiptNo: String
    public var dateTime: String
    public var utilityDetails: UtilityDetails
    public var cashier: String
    /// True when the receipt is shown again (a replayed transID, the history endpoints).
    public var reprint: Bool
    public var customerAccountNo: String
    public var tariffName: String
    public var feeDetails: [Fee]
    public var customerMessages: [String]
    public var totals: Totals
    public var fbeTokens: [Token]
    public var externalClientID: String
    public var customerLocationRef: String
    /// Key-change tokens first (in entry order), then the credit token.
    public var stdTokens: [Token]
    public var meterDetails: MeterDetails
    public var tokenGenTime: String
    public var externalReferenceNumber: String
    public var debtDetails: [String]
    public var tariffBlocks: [TariffBlock]
    /// The seed repeats the receipt number as `ReceiptNo`.
    public var receiptNumber: String
    public var customerName: String
    public var amountTendered: String

    enum CodingKeys: String, CodingKey {
        case customerAddress = "customer_address", notes, receiptNo = "receipt_no", dateTime = "DateTime"
        case utilityDetails = "utility_details", cashier = "Cashier", reprint, customerAccountNo = "customer_account_no"
        case tariffName = "tariff_name", feeDetails = "fee_details", customerMessages = "customer_messages", totals
        case fbeTokens = "fbe_tokens", externalClientID = "external_client_id", customerLocationRef = "customer_location_ref"
        case stdTokens = "std_tokens", meterDetails = "meter_details", tokenGenTime = "token_gen_time"
        case externalReferenceNumber = "external_reference_number", debtDetails = "debt_details"
        case tariffBlocks = "tariff_blocks", receiptNumber = "ReceiptNo", customerName = "customer_name"
        case amountTendered = "AmountTendered"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(customerAddress, forKey: .customerAddress)  // null when nil, as in the seed
        try c.encode(notes, forKey: .notes)
        try c.encode(receiptNo, forKey: .receiptNo)
        try c.encode(dateTime, forKey: .dateTime)
        try c.encode(utilityDetails, forKey: .utilityDetails)
        try c.encode(cashier, forKey: .cashier)
        try c.encode(reprint, forKey: .reprint)
        try c.encode(customerAccountNo, forKey: .customerAccountNo)
        try c.encode(tariffName, forKey: .tariffName)
        try c.encode(feeDetails, forKey: .feeDetails)
        try c.encode(customerMessages, forKey: .customerMessages)
        try c.encode(totals, forKey: .totals)
        try c.encode(fbeTokens, forKey: .fbeTokens)
        try c.encode(externalClientID, forKey: .externalClientID)
        try c.encode(customerLocationRef, forKey: .customerLocationRef)
        try c.encode(stdTokens, forKey: .stdTokens)
        try c.encode(meterDetails, forKey: .meterDetails)
        try c.encode(tokenGenTime, forKey: .tokenGenTime)
        try c.encode(externalReferenceNumber, forKey: .externalReferenceNumber)
        try c.encode(debtDetails, forKey: .debtDetails)
        try c.encode(tariffBlocks, forKey: .tariffBlocks)
        try c.encode(receiptNumber, forKey: .receiptNumber)
        try c.encode(customerName, forKey: .customerName)
        try c.encode(amountTendered, forKey: .amountTendered)
    }

    public struct UtilityDetails: Sendable, Equatable, Codable {
        public var address: String?
        public var vatNumber: String?
        public var name: String
        public var contactNumber: String?

        enum CodingKeys: String, CodingKey {
            case address, vatNumber = "vat_number", name, contactNumber = "contact_number"
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(address, forKey: .address)
            try c.encode(vatNumber, forKey: .vatNumber)
            try c.encode(name, forKey: .name)
            try c.encode(contactNumber, forKey: .contactNumber)
        }
    }

    public struct Fee: Sendable, Equatable, Codable {
        public var amount: String
        public var tax: String
        public var desc: String
    }

    public struct Totals: Sendable, Equatable, Codable {
        public var tendered: String
        public var fees: String
        public var total: String
        public var fbeUnits: String
        public var elec: String
        public var debtRemaining: String
        public var tax: String
        public var units: String
        public var debt: String
        public var debtOpeningBalance: String

        enum CodingKeys: String, CodingKey {
            case tendered, fees, total, fbeUnits = "fbe_units", elec, debtRemaining = "debt_remaining", tax, units, debt
            case debtOpeningBalance = "debt_opening_bal"
        }
    }

    public struct Token: Sendable, Equatable, Codable {
        public var amount: String
        /// The token grouped in fours, as it is keyed in.
        public var code: String
        public var receipt: String
        public var tax: String
        public var tariff: String
        public var units: String
        public var sortOrder: String
        public var desc: String

        enum CodingKeys: String, CodingKey {
            case amount, code, receipt, tax, tariff, units, sortOrder = "sort_order", desc
        }
    }

    public struct MeterDetails: Sendable, Equatable, Codable {
        public var tt: String
        public var number: String
        /// `sgc/ti`.
        public var sgcTi: String
        public var ti: String
        public var krn: String
        public var alg: String
        public var sgc: String

        enum CodingKeys: String, CodingKey {
            case tt, number, sgcTi = "sgc_ti", ti, krn, alg, sgc
        }

        /// A meter's STS parameters as the seed prints them.
        public init(_ meter: VendMeterDetails) {
            tt = meter.tt
            number = meter.number
            sgcTi = "\(meter.sgc)/\(meter.ti)"
            ti = meter.ti
            krn = meter.krn
            alg = meter.alg
            sgc = meter.sgc
        }
    }

    public struct TariffBlock: Sendable, Equatable, Codable {
        public var units: String
        public var rate: String
    }
}
