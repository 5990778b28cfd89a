import Foundation

/// PrepaidPlus PWS electricity messages (`.../rest/basic/v1/electricity/{creditvend,advice}`), as
/// its documentation shows them (prepaidplus/.github documentation/electricity.md). Shared by the
/// PrepaidPlus client and the simulator, which speaks the same protocol.
public enum PrepaidPlusWire {
    /// The success code; anything else is a fault.
    public static let successCode = "0"
    /// Advice: "No last response found: the server did not process the requested transaction. No
    /// sale was made."
    public static let noSaleCode = "209"
    /// Advice: "Could not find a transaction for the supplied client sale transaction Id."
    public static let unknownClientSaleCode = "208"

    /// `creditvend` (and `trialvend`) request body.
    public struct CreditVendBody: Sendable, Equatable, Codable {
        public var meterNumber: String
        public var transactionAmount: Int
        public var clientSaleId: String
        public var outletId: String
        public var operatorId: String
        public var terminalId: String

        public init(meterNumber: String, transactionAmount: Int, clientSaleId: String, outletId: String,
                    operatorId: String, terminalId: String) {
            self.meterNumber = meterNumber
            self.transactionAmount = transactionAmount
            self.clientSaleId = clientSaleId
            self.outletId = outletId
            self.operatorId = operatorId
            self.terminalId = terminalId
        }
    }

    /// `advice` request body.
    public struct AdviceBody: Sendable, Equatable, Codable {
        public var clientSaleId: String
        public var outletId: String

        public init(clientSaleId: String, outletId: String) {
            self.clientSaleId = clientSaleId
            self.outletId = outletId
        }
    }

    /// The answer of `creditvend` and `advice`: a sale (`code` "0" with `creditVendReceipt`) or a
    /// fault (`response` "Failure" with `message` and `description`).
    public struct Answer: Sendable, Equatable, Codable {
        public var code: String
        public var response: String?
        public var message: String?
        public var description: String?
        public var transactionId: String?
        public var clientSaleId: String?
        public var transactionAmount: Decimal?
        public var creditVendReceipt: Receipt?

        public init(code: String, response: String? = nil, message: String? = nil, description: String? = nil,
                    transactionId: String? = nil, clientSaleId: String? = nil, transactionAmount: Decimal? = nil,
                    creditVendReceipt: Receipt? = nil) {
            self.code = code
            self.response = response
            self.message = message
            self.description = description
            self.transactionId = transactionId
            self.clientSaleId = clientSaleId
            self.transactionAmount = transactionAmount
            self.creditVendReceipt = creditVendReceipt
        }

        /// A fault answer.
        public static func fault(_ fault: ProviderFault) -> Answer {
            Answer(code: fault.code, response: "Failure", message: fault.message, description: fault.description)
        }

        /// The fault this answer carries, nil for a success.
        public var fault: ProviderFault? {
            guard code != PrepaidPlusWire.successCode else { return nil }
            return ProviderFault(code: code, message: message ?? "", description: description ?? "")
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            // Codes are strings in the documentation ("0", "02"); a number is taken as its text.
            if let text = try? c.decode(String.self, forKey: .code) {
                code = text
            } else {
                code = String(try c.decode(Int.self, forKey: .code))
            }
            response = try c.decodeIfPresent(String.self, forKey: .response)
            message = try c.decodeIfPresent(String.self, forKey: .message)
            description = try c.decodeIfPresent(String.self, forKey: .description)
            transactionId = try c.decodeIfPresent(String.self, forKey: .transactionId)
            clientSaleId = try c.decodeIfPresent(String.self, forKey: .clientSaleId)
            transactionAmount = try c.decodeIfPresent(LenientDecimal.self, forKey: .transactionAmount)?.value
            creditVendReceipt = try c.decodeIfPresent(Receipt.self, forKey: .creditVendReceipt)
        }
    }
}

/// A number sent either as a JSON number or as a string holding one.
struct LenientDecimal: Codable, Equatable {
    let value: Decimal

    init(_ value: Decimal) { self.value = value }

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let number = try? container.decode(Decimal.self) {
            value = number
        } else if let text = try? container.decode(String.self), let number = MoneyText.parse(text) {
            value = number
        } else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "expected a number"))
        }
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(value)
    }
}
