import Foundation

/// What the vend endpoints accept, validated as the seed lists it. Each `parse` returns the
/// typed request or every refusal found (the API joins their messages).
public struct VendRequestRules: Sendable {
    public var amounts: VendAmountRules
    /// Meter numbers accepted without their Luhn check digit (configuration; empty by default).
    public var luhnExemptMeters: Set<String>

    public init(amounts: VendAmountRules = VendAmountRules(), luhnExemptMeters: Set<String> = []) {
        self.amounts = amounts
        self.luhnExemptMeters = luhnExemptMeters
    }
}

/// `POST /api/auth/login`.
public struct LoginRequest: Sendable, Equatable {
    public let email: String
    public let password: String

    public static func parse(_ body: Data) -> Result<LoginRequest, VendRefusals> {
        guard let fields = RequestFields(json: body), let email = fields.string("email"),
              let password = fields.string("password") else { return .failure(VendRefusals([.requiredFieldsOrInteger])) }
        return .success(LoginRequest(email: VendEmail.normalize(email), password: password))
    }
}

/// The purchase a transID stands for: the same three values bind an `elec_token`, identify a
/// replay, and are sent to the provider.
public struct VendPurchase: Sendable, Hashable {
    public let transID: String
    public let meterNumber: STSMeterNumber
    /// Whole currency units, at least the minimum.
    public let amount: Decimal

    public init(transID: String, meterNumber: STSMeterNumber, amount: Decimal) {
        self.transID = transID
        self.meterNumber = meterNumber
        self.amount = amount
    }
}

/// `POST /api/electricity/verify-customer`: credentials plus the purchase to prepare.
public struct VerifyCustomerRequest: Sendable, Equatable {
    public let purchase: VendPurchase
    public let login: LoginRequest

    public static func parse(_ body: Data, rules: VendRequestRules) -> Result<VerifyCustomerRequest, VendRefusals> {
        guard let fields = RequestFields(json: body), let email = fields.string("email"),
              let password = fields.string("password") else { return .failure(VendRefusals([.requiredFieldsOrInteger])) }
        return VendPurchase.parse(fields, rules: rules).map {
            VerifyCustomerRequest(purchase: $0, login: LoginRequest(email: VendEmail.normalize(email), password: password))
        }
    }
}

/// `POST /api/buyelectricityprod` (and its alias).
public struct BuyRequest: Sendable, Equatable {
    public let purchase: VendPurchase
    public let elecToken: String

    public static func parse(_ body: Data, rules: VendRequestRules) -> Result<BuyRequest, VendRefusals> {
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

    /// 1–64 printable ASCII characters without spaces: it travels as the provider's `clientSaleId`
    /// and in the path of `GET /api/transactions/transaction-id/{transID}`.
    public static func isValidTransID(_ text: String) -> Bool {
        (1...64).contains(text.utf8.count) && text.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7f && $0 != 0x2f }
    }
}

/// One or more refusals of one request, in the order the fields were checked.
public struct VendRefusals: Error, Sendable, Equatable {
    public let refusals: [VendRefusal]

    public init(_ refusals: [VendRefusal]) {
        precondition(!refusals.isEmpty, "a refusal needs a reason")
        self.refusals = refusals
    }

    /// The messages joined, for the seed's single `message` field.
    public var message: String { refusals.map(\.message).joined(separator: " ") }
}

/// E-mail addresses as login names: compared case-insensitively (stored lower-cased).
public enum VendEmail {
    public static func normalize(_ email: String) -> String {
        email.trimmingCharacters(in: .whitespaces).lowercased()
    }

    /// A plausible address (`local@domain.tld`, at most 254 characters): enough to refuse typos at
    /// creation; delivery is never attempted.
    public static func isPlausible(_ email: String) -> Bool {
        email.utf8.count <= 254 && email.range(of: #"^[^@\s]+@[^@\s]+\.[^@\s]+$"#, options: .regularExpression) != nil
    }
}
