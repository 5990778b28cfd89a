import Foundation
import VendCore

// The request bodies of the vend endpoints, validated as the seed lists it. Each `parse`
// returns the typed request or every refusal found (the API joins their messages).

extension LoginRequest {
    public static func parse(_ body: [UInt8]) -> Result<LoginRequest, VendRefusals> {
        guard let fields = RequestFields(json: body), let email = fields.string("email"),
              let password = fields.string("password") else { return .failure(VendRefusals([.requiredFieldsOrInteger])) }
        return .success(LoginRequest(email: email, password: password))
    }
}

extension VerifyCustomerRequest {
    public static func parse(_ body: [UInt8], rules: VendRequestRules) -> Result<VerifyCustomerRequest, VendRefusals> {
        guard let fields = RequestFields(json: body), let email = fields.string("email"),
              let password = fields.string("password") else { return .failure(VendRefusals([.requiredFieldsOrInteger])) }
        return VendPurchase.parse(fields, rules: rules).map {
            VerifyCustomerRequest(purchase: $0, login: LoginRequest(email: email, password: password))
        }
    }
}

extension BuyRequest {
    public static func parse(_ body: [UInt8], rules: VendRequestRules) -> Result<BuyRequest, VendRefusals> {
        guard let fields = RequestFields(json: body), let token = fields.string("elec_token") else {
            return .failure(VendRefusals([.requiredFieldsOrInteger]))
        }
        return VendPurchase.parse(fields, rules: rules).map { BuyRequest(purchase: $0, elecToken: token) }
    }
}

extension VendPurchase {
    /// `transID`, `meterNumber` and `amount`: required first (the seed's message), then each rule.
    static func parse(_ fields: RequestFields, rules: VendRequestRules) -> Result<VendPurchase, VendRefusals> {
        guard let transID = fields.string("transID"), let meterText = fields.string("meterNumber"),
              let amount = fields.number("amount") else { return .failure(VendRefusals([.requiredFieldsOrInteger])) }
        var refusals: [VendRefusal] = []
        if !isValidTransID(transID) { refusals.append(.transIDFormat) }
        var meter: STSMeterNumber?
        switch STSMeterNumber.parse(meterText, luhnExempt: rules.luhnExemptMeters) {
        case .success(let parsed): meter = parsed
        case .failure(let error): refusals.append(error.problem == .format ? .meterNumberFormat : .meterNumberCheckDigit)
        }
        var checkedAmount: Decimal?
        switch rules.amounts.check(amount) {
        case .success(let value): checkedAmount = value
        case .failure(let refusal): refusals.append(refusal)
        }
        guard refusals.isEmpty, let meter, let checkedAmount else { return .failure(VendRefusals(refusals)) }
        return .success(VendPurchase(transID: transID, meterNumber: meter, amount: checkedAmount))
    }
}
