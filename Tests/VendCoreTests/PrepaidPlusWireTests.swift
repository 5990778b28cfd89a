import Foundation
import Testing
@testable import VendCore

/// PrepaidPlus answers in the forms its documentation shows: numbers or strings for amounts,
/// `tokenUnits` as text, both spellings of the levy and VAT fields.
struct PrepaidPlusWireTests {
    let adviceSuccess = #"""
        {"code": "0", "creditVendReceipt": {"clientId": "PP100", "account": "ACC-77", "location": "40211",
         "name": "K. MOTSUMI", "date": "2021-05-04 09:15:02", "receiptNo": "545512345", "amtTendered": 20,
         "costUnits": 16.38, "standardCharge": 0.86, "govLevy": "0.86", "VAT": 1.90, "desc": "Credit Token",
         "tariff": "Domestic", "tokenUnits": "19.2kWh", "meterType": "02", "krn": "1", "ti": "1",
         "msno": "04040404040", "sgc": "200000", "keychangetoken1": "8675 7587 7584 6834 0011",
         "stsCipher": "3871 0157 9312 8553 5068"},
         "transactionId": "45sdr4fr", "clientSaleId": "T-1", "transactionAmount": 20, "response": "Successful"}
        """#

    @Test func readsASaleWithEitherSpellingOfItsFields() throws {
        let answer = try JSONDecoder().decode(PrepaidPlusWire.Answer.self, from: Data(adviceSuccess.utf8))
        let sale = try answer.sale(expectedClientSaleID: "T-1").get()
        #expect(sale.governmentLevy == Decimal(string: "0.86")!)
        #expect(sale.vat == Decimal(string: "1.90")!)
        #expect(sale.costOfUnits + sale.fees == sale.amountTendered)
        #expect(sale.units == "19.2kWh")
        #expect(sale.meter.number == "04040404040")
        #expect(sale.keyChangeTokens.map(\.grouped) == ["8675 7587 7584 6834 0011"])
        #expect(sale.creditToken.digits == "38710157931285535068")
        #expect(sale.providerTransactionID == "45sdr4fr")
    }

    @Test func aSaleForAnotherClientSaleIDOrWithAnUnreadableTokenIsNotASale() throws {
        let answer = try JSONDecoder().decode(PrepaidPlusWire.Answer.self, from: Data(adviceSuccess.utf8))
        #expect(throws: PrepaidPlusWire.Answer.SaleDecodingError.self) { try answer.sale(expectedClientSaleID: "T-2").get() }
        let typo = adviceSuccess.replacingOccurrences(of: "8553 5068\"", with: "8553 5068r\"")
        let broken = try JSONDecoder().decode(PrepaidPlusWire.Answer.self, from: Data(typo.utf8))
        #expect(throws: PrepaidPlusWire.Answer.SaleDecodingError.self) { try broken.sale(expectedClientSaleID: "T-1").get() }
    }

    @Test func readsFaultsWithStringOrNumberCodes() throws {
        let fault = try JSONDecoder().decode(PrepaidPlusWire.Answer.self, from: Data(#"""
            {"code": "209", "response": "Failure", "message": "No last response found",
             "description": "The server did not process the requested transaction. No sale was made"}
            """#.utf8))
        #expect(fault.fault == ProviderFault(code: "209", message: "No last response found",
                                             description: "The server did not process the requested transaction. No sale was made"))
        let numeric = try JSONDecoder().decode(PrepaidPlusWire.Answer.self, from: Data(#"{"code": 2, "response": "Failure"}"#.utf8))
        #expect(numeric.fault?.code == "2")
    }

    @Test func aSimulatedReceiptReadsBackAsTheSameSale() throws {
        let sale = VendReceiptTests.sale(keyChanges: 2)
        let answer = PrepaidPlusWire.Answer(code: "0", transactionId: sale.providerTransactionID, clientSaleId: sale.clientSaleID,
                                            transactionAmount: sale.amountTendered, creditVendReceipt: PrepaidPlusWire.Receipt(sale))
        let decoded = try JSONDecoder().decode(PrepaidPlusWire.Answer.self, from: JSONEncoder().encode(answer))
        #expect(try decoded.sale(expectedClientSaleID: sale.clientSaleID).get() == sale)
    }
}
