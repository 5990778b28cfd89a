import Foundation

extension PrepaidPlusWire {
    /// `creditVendReceipt`: the utility's (BPC's) receipt. The documentation's table and its
    /// examples name some fields differently (`govLevy`/`governmentLevy`, `VAT`/`vat`,
    /// `msno`/`meterNumber`, `at`); both spellings are read, the examples' are written.
    public struct Receipt: Sendable, Equatable, Codable {
        public var clientId: String?
        public var account: String?
        public var location: String?
        public var name: String
        public var date: String
        public var receiptNo: String
        public var amtTendered: Decimal
        public var costUnits: Decimal
        public var standardCharge: Decimal
        public var governmentLevy: Decimal
        public var vat: Decimal
        public var desc: String?
        public var tariff: String?
        public var tariffBreakdown: [VendTariffBlock]
        /// A number (`100`) or text (`"9.6kWh"`), kept as text.
        public var tokenUnits: String
        public var meterType: String?
        public var krn: String
        public var ti: String
        public var meterNumber: String
        public var sgc: String
        public var vatNo: String?
        public var tt: String?
        public var at: String?
        public var keychangetoken1: String?
        public var keychangetoken2: String?
        public var stsCipher: String

        enum CodingKeys: String, CodingKey {
            case clientId, account, location, name, date, receiptNo, amtTendered, costUnits, standardCharge
            case governmentLevy, govLevy, vat, VAT, desc, tariff, tariffBreakdown, tokenUnits, meterType, krn, ti
            case meterNumber, msno, sgc, vatNo, tt, at, keychangetoken1, keychangetoken2, stsCipher
        }

        /// The receipt a simulator sends for `sale`.
        public init(_ sale: VendSale) {
            clientId = sale.clientID
            account = sale.accountNumber
            location = sale.locationReference
            name = sale.customerName
            date = sale.date
            receiptNo = sale.receiptNumber
            amtTendered = sale.amountTendered
            costUnits = sale.costOfUnits
            standardCharge = sale.standardCharge
            governmentLevy = sale.governmentLevy
            vat = sale.vat
            desc = "Credit Token"
            tariff = sale.tariffName
            tariffBreakdown = sale.tariffBlocks
            tokenUnits = sale.units
            meterType = "Prepaid"
            krn = sale.meter.krn
            ti = sale.meter.ti
            meterNumber = sale.meter.number
            sgc = sale.meter.sgc
            vatNo = sale.utilityVATNumber
            tt = sale.meter.tt
            at = sale.meter.alg
            keychangetoken1 = sale.keyChangeTokens.first?.grouped
            keychangetoken2 = sale.keyChangeTokens.dropFirst().first?.grouped
            stsCipher = sale.creditToken.grouped
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            func text(_ key: CodingKeys) throws -> String? {
                if let value = try? c.decodeIfPresent(String.self, forKey: key) { return value }
                return try c.decodeIfPresent(LenientDecimal.self, forKey: key).map { "\($0.value)" }
            }
            func number(_ keys: CodingKeys...) throws -> Decimal {
                for key in keys { if let value = try c.decodeIfPresent(LenientDecimal.self, forKey: key) { return value.value } }
                return 0
            }
            clientId = try text(.clientId)
            account = try text(.account)
            location = try text(.location)
            name = try text(.name) ?? ""
            date = try c.decode(String.self, forKey: .date)
            guard let receipt = try text(.receiptNo) else {
                throw DecodingError.keyNotFound(CodingKeys.receiptNo, .init(codingPath: c.codingPath, debugDescription: "no receiptNo"))
            }
            receiptNo = receipt
            amtTendered = try number(.amtTendered)
            costUnits = try number(.costUnits)
            standardCharge = try number(.standardCharge)
            governmentLevy = try number(.governmentLevy, .govLevy)
            vat = try number(.vat, .VAT)
            desc = try text(.desc)
            tariff = try text(.tariff)
            tariffBreakdown = try c.decodeIfPresent([Block].self, forKey: .tariffBreakdown)?.map(\.block) ?? []
            tokenUnits = try text(.tokenUnits) ?? ""
            meterType = try text(.meterType)
            krn = try text(.krn) ?? ""
            ti = try text(.ti) ?? ""
            meterNumber = try text(.meterNumber) ?? text(.msno) ?? ""
            sgc = try text(.sgc) ?? ""
            vatNo = try text(.vatNo)
            tt = try text(.tt)
            at = try text(.at)
            keychangetoken1 = try text(.keychangetoken1)
            keychangetoken2 = try text(.keychangetoken2)
            stsCipher = try c.decode(String.self, forKey: .stsCipher)
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encodeIfPresent(clientId, forKey: .clientId)
            try c.encodeIfPresent(account, forKey: .account)
            try c.encodeIfPresent(location, forKey: .location)
            try c.encode(name, forKey: .name)
            try c.encode(date, forKey: .date)
            try c.encode(receiptNo, forKey: .receiptNo)
            try c.encode(amtTendered, forKey: .amtTendered)
            try c.encode(costUnits, forKey: .costUnits)
            try c.encode(standardCharge, forKey: .standardCharge)
            try c.encode(governmentLevy, forKey: .governmentLevy)
            try c.encode(vat, forKey: .vat)
            try c.encodeIfPresent(desc, forKey: .desc)
            try c.encodeIfPresent(tariff, forKey: .tariff)
            try c.encode(tariffBreakdown.map(Block.init), forKey: .tariffBreakdown)
            try c.encode(tokenUnits, forKey: .tokenUnits)
            try c.encodeIfPresent(meterType, forKey: .meterType)
            try c.encode(krn, forKey: .krn)
            try c.encode(ti, forKey: .ti)
            try c.encode(meterNumber, forKey: .meterNumber)
            try c.encode(sgc, forKey: .sgc)
            try c.encodeIfPresent(vatNo, forKey: .vatNo)
            try c.encodeIfPresent(tt, forKey: .tt)
            try c.encodeIfPresent(at, forKey: .at)
            try c.encodeIfPresent(keychangetoken1, forKey: .keychangetoken1)
            try c.encodeIfPresent(keychangetoken2, forKey: .keychangetoken2)
            try c.encode(stsCipher, forKey: .stsCipher)
        }

        /// `tariffBreakdown` element: `{"units": 25, "rate": 2}`.
        struct Block: Codable {
            let units: LenientDecimal
            let rate: LenientDecimal

            init(_ block: VendTariffBlock) {
                units = LenientDecimal(block.units)
                rate = LenientDecimal(block.rate)
            }

            var block: VendTariffBlock { VendTariffBlock(units: units.value, rate: rate.value) }
        }
    }
}

extension PrepaidPlusWire.Answer {
    /// The sale this answer reports, or why it cannot be read as one (a success whose receipt
    /// lacks a usable token is not a sale the caller can hand over).
    public func sale(expectedClientSaleID: String) -> Result<VendSale, SaleDecodingError> {
        guard code == PrepaidPlusWire.successCode, let receipt = creditVendReceipt else {
            return .failure(SaleDecodingError(reason: "the answer has no creditVendReceipt"))
        }
        if let echoed = clientSaleId, echoed != expectedClientSaleID {
            return .failure(SaleDecodingError(reason: "the answer is for another clientSaleId"))
        }
        guard let credit = STSTokenCode(receipt.stsCipher) else {
            return .failure(SaleDecodingError(reason: "stsCipher is not a token of digits"))
        }
        var keyChanges: [STSTokenCode] = []
        for text in [receipt.keychangetoken1, receipt.keychangetoken2].compactMap({ $0 }) where !text.isEmpty {
            guard let code = STSTokenCode(text) else {
                return .failure(SaleDecodingError(reason: "a key-change token is not a token of digits"))
            }
            keyChanges.append(code)
        }
        return .success(VendSale(
            providerTransactionID: transactionId ?? "", clientSaleID: expectedClientSaleID, receiptNumber: receipt.receiptNo,
            date: receipt.date, customerName: receipt.name, accountNumber: receipt.account,
            locationReference: receipt.location, clientID: receipt.clientId, utilityVATNumber: receipt.vatNo,
            tariffName: receipt.tariff,
            meter: VendMeterDetails(number: receipt.meterNumber, sgc: receipt.sgc, ti: receipt.ti, krn: receipt.krn,
                                    tt: receipt.tt ?? "", alg: receipt.at ?? ""),
            amountTendered: receipt.amtTendered, costOfUnits: receipt.costUnits, standardCharge: receipt.standardCharge,
            governmentLevy: receipt.governmentLevy, vat: receipt.vat, units: receipt.tokenUnits,
            keyChangeTokens: keyChanges, creditToken: credit, tariffBlocks: receipt.tariffBreakdown))
    }

    /// Why a success answer could not be read as a sale.
    public struct SaleDecodingError: Error, Sendable, Equatable {
        public let reason: String
    }
}
