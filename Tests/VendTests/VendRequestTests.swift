import Foundation
import Testing
@testable import Vend
import VendCore

/// The buy, verify and login bodies, validated as the seed lists it.
struct VendRequestTests {
    /// The seed's own example meter (12345678901) fails the Luhn check; the local run exempts it.
    let rules = VendRequestRules(luhnExemptMeters: ["12345678901"])
    let seedBuy = #"{"transID": "TXN123456789", "meterNumber": "12345678901", "amount": 50.00, "elec_token": "electricity_token_from_verify"}"#

    private func buy(_ json: String, rules: VendRequestRules? = nil) -> Result<BuyRequest, VendRefusals> {
        BuyRequest.parse(Array(json.utf8), rules: rules ?? self.rules)
    }

    private func refusals(_ json: String) -> [VendRefusal] {
        guard case .failure(let failure) = buy(json) else { return [] }
        return failure.refusals
    }

    @Test func theSeedsExampleBodyParses() throws {
        let request = try buy(seedBuy).get()
        #expect(request.purchase == VendPurchase(transID: "TXN123456789", meterNumber: STSMeterNumber(unchecked: "12345678901"), amount: 50))
        #expect(request.elecToken == "electricity_token_from_verify")
    }

    @Test(arguments: ["transID", "meterNumber", "amount", "elec_token"])
    func eachMissingFieldGetsTheSeedsMessage(field: String) throws {
        var object = try JSONSerialization.jsonObject(with: Data(seedBuy.utf8)) as! [String: Any]
        object[field] = nil
        let json = String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self)
        #expect(refusals(json) == [.requiredFieldsOrInteger])
        object[field] = NSNull()
        let withNull = String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self)
        #expect(refusals(withNull) == [.requiredFieldsOrInteger])
    }

    @Test(arguments: [
        #"{"transID": 123, "meterNumber": "12345678901", "amount": 50, "elec_token": "t"}"#,
        #"{"transID": "T1", "meterNumber": 12345678901, "amount": 50, "elec_token": "t"}"#,
        #"{"transID": "T1", "meterNumber": "12345678901", "amount": "fifty", "elec_token": "t"}"#,
        #"{"transID": "T1", "meterNumber": "12345678901", "amount": true, "elec_token": "t"}"#,
        #"{"transID": "T1", "meterNumber": "12345678901", "amount": 50, "elec_token": ["t"]}"#,
        #"{"transID": "", "meterNumber": "12345678901", "amount": 50, "elec_token": "t"}"#,
        #"{"transID": "T1", "meterNumber": "12345678901", "amount": 50.5, "elec_token": "t"}"#,
        #"{"transID": "T1", "meterNumber": "12345678901", "amount": "50.50", "elec_token": "t"}"#,
        #"{"transID": "T1", "meterNumber": "12345678901", "amount": 10.000000000000000001, "elec_token": "t"}"#,
        #"not json"#, #"[1, 2]"#, #""#,
    ])
    func wrongTypesFractionsAndBadJSONGetTheSeedsMessage(json: String) {
        #expect(refusals(json) == [.requiredFieldsOrInteger])
    }

    @Test func numericStringsAndWholeDecimalsAreAmounts() throws {
        let fromString = try buy(#"{"transID": "T1", "meterNumber": "04040404040", "amount": "50.00", "elec_token": "t"}"#).get()
        #expect(fromString.purchase.amount == 50)
        let fromExponent = try buy(#"{"transID": "T1", "meterNumber": "04040404040", "amount": 1e3, "elec_token": "t"}"#).get()
        #expect(fromExponent.purchase.amount == 1_000)
    }

    @Test func meterNumbersAreRefusedBeforeAnyProviderIsAsked() {
        #expect(refusals(#"{"transID": "T1", "meterNumber": "1234567890", "amount": 50, "elec_token": "t"}"#) == [.meterNumberFormat])
        #expect(refusals(#"{"transID": "T1", "meterNumber": "94949494949", "amount": 50, "elec_token": "t"}"#) == [.meterNumberCheckDigit])
        // Without the exemption the seed's example meter is refused too.
        let strict = buy(seedBuy, rules: VendRequestRules())
        #expect(strict == .failure(VendRefusals([.meterNumberCheckDigit])))
    }

    @Test func everyRuleThatFailsIsReportedInFieldOrder() throws {
        let result = buy(#"{"transID": "T 1", "meterNumber": "1234", "amount": 5, "elec_token": "t"}"#)
        guard case .failure(let failure) = result else { Issue.record("accepted"); return }
        #expect(failure.refusals == [.transIDFormat, .meterNumberFormat, .amountBelowMinimum(minimum: "10.00")])
        #expect(failure.message.hasPrefix("The transID must be"))
        #expect(failure.message.contains("The amount must be at least 10.00."))
    }

    @Test(arguments: [String(repeating: "x", count: 65), "a/b", "tab\there", "é"])
    func transIDsThatCannotTravelAreRefused(transID: String) throws {
        let json = String(decoding: try JSONSerialization.data(withJSONObject: [
            "transID": transID, "meterNumber": "04040404040", "amount": 50, "elec_token": "t"]), as: UTF8.self)
        #expect(refusals(json) == [.transIDFormat])
    }

    @Test func verifyAndLoginNeedTheirCredentials() throws {
        let verify = #"{"transID": "TXN123456789", "meterNumber": "12345678901", "amount": 50.00, "email": "User@Example.com", "password": "password123"}"#
        let parsed = try VerifyCustomerRequest.parse(Array(verify.utf8), rules: rules).get()
        #expect(parsed.login == LoginRequest(email: "user@example.com", password: "password123"))
        #expect(parsed.purchase.amount == 50)
        let noPassword = #"{"transID": "T", "meterNumber": "12345678901", "amount": 50, "email": "a@b.c"}"#
        #expect(VerifyCustomerRequest.parse(Array(noPassword.utf8), rules: rules) == .failure(VendRefusals([.requiredFieldsOrInteger])))
        #expect(try LoginRequest.parse(Array(#"{"email": "user@example.com", "password": "password123"}"#.utf8)).get().email == "user@example.com")
        #expect(LoginRequest.parse(Array(#"{"email": "user@example.com"}"#.utf8)) == .failure(VendRefusals([.requiredFieldsOrInteger])))
    }
}

struct ElecTokenGrantTests {
    let user = UUID()
    let purchase = VendPurchase(transID: "T1", meterNumber: STSMeterNumber(unchecked: "04040404040"), amount: 50)
    let now = Date(timeIntervalSince1970: 1_700_000_000)

    private func grant(used: Bool = false, expiresIn seconds: Double = 60) -> ElecTokenGrant {
        ElecTokenGrant(userID: user, purchase: purchase, expiresAt: now.addingTimeInterval(seconds), usedAt: used ? now : nil)
    }

    @Test func paysForExactlyThePurchaseItWasIssuedFor() {
        #expect(grant().refusal(for: purchase, by: user, at: now) == nil)
        #expect(grant().refusal(for: VendPurchase(transID: "T1", meterNumber: purchase.meterNumber, amount: Decimal(string: "50.00")!),
                                by: user, at: now) == nil)
    }

    @Test func refusesReuseExpiryAndEveryOtherBinding() {
        #expect(grant(used: true).refusal(for: purchase, by: user, at: now) == .used)
        #expect(grant(expiresIn: 0).refusal(for: purchase, by: user, at: now) == .expired)
        #expect(grant(expiresIn: -1).refusal(for: purchase, by: user, at: now) == .expired)
        #expect(grant().refusal(for: purchase, by: UUID(), at: now) == .otherCaller)
        #expect(grant().refusal(for: VendPurchase(transID: "T2", meterNumber: purchase.meterNumber, amount: 50), by: user, at: now) == .otherTransID)
        #expect(grant().refusal(for: VendPurchase(transID: "T1", meterNumber: STSMeterNumber(unchecked: "04040404453"), amount: 50),
                                by: user, at: now) == .otherMeter)
        #expect(grant().refusal(for: VendPurchase(transID: "T1", meterNumber: purchase.meterNumber, amount: 60), by: user, at: now) == .otherAmount)
    }
}
