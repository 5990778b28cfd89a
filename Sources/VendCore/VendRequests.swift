import Foundation

/// What the vend endpoints accept beyond the field types (docs/VEND.md).
public struct VendRequestRules: Sendable {
    public var amounts: VendAmountRules
    /// Meter numbers accepted without their Luhn check digit (configuration; empty by default).
    public var luhnExemptMeters: Set<String>

    public init(amounts: VendAmountRules = VendAmountRules(), luhnExemptMeters: Set<String> = []) {
        self.amounts = amounts
        self.luhnExemptMeters = luhnExemptMeters
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

    /// 1–64 printable ASCII characters without spaces or slashes: it travels as the provider's
    /// `clientSaleId` and in the path of `GET /api/transactions/transaction-id/{transID}`.
    public static func isValidTransID(_ text: String) -> Bool {
        (1...64).contains(text.utf8.count) && text.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7f && $0 != 0x2f }
    }
}

/// `POST /api/auth/login`.
public struct LoginRequest: Sendable, Equatable {
    public let email: String
    public let password: String

    /// - Parameter email: compared case-insensitively; normalised here.
    public init(email: String, password: String) {
        self.email = VendEmail.normalize(email)
        self.password = password
    }
}

/// `POST /api/electricity/verify-customer`: credentials plus the purchase to prepare.
public struct VerifyCustomerRequest: Sendable, Equatable {
    public let purchase: VendPurchase
    public let login: LoginRequest

    public init(purchase: VendPurchase, login: LoginRequest) {
        self.purchase = purchase
        self.login = login
    }
}

/// `POST /api/buyelectricityprod` (and its alias).
public struct BuyRequest: Sendable, Equatable {
    public let purchase: VendPurchase
    public let elecToken: String

    public init(purchase: VendPurchase, elecToken: String) {
        self.purchase = purchase
        self.elecToken = elecToken
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
