import Foundation

/// The seed's error bodies, and the bodies of what the seed leaves unshown (login, verify,
/// in-progress, history), in its `result`/`results`/`message` style. Statuses are the API layer's.
public enum VendBody {
    /// `{"result": "FAILED", "message": ..., "type": null}`: validation and other refusals.
    public struct Refused: Sendable, Equatable, Codable {
        public var result = "FAILED"
        public var message: String
        public var type: String? = nil

        public init(message: String) { self.message = message }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(result, forKey: .result)
            try c.encode(message, forKey: .message)
            try c.encode(type, forKey: .type)
        }

        enum CodingKeys: String, CodingKey { case result, message, type }
    }

    /// `{"message": "Unauthenticated."}`.
    public struct Unauthenticated: Sendable, Equatable, Codable {
        public var message = "Unauthenticated."
        public init() {}
    }

    /// `{"results": "FAILED", "message": ..., "details": ...}`: the provider did not sell.
    public struct ProviderFailed: Sendable, Equatable, Codable {
        /// The seed's message, as written.
        public static let seedMessage =
            "Blueprintelectricity experinced an error while purchasing electricity. Please try again later."
        public var results = "FAILED"
        public var message: String
        public var details: String

        public init(message: String = ProviderFailed.seedMessage, details: String) {
            self.message = message
            self.details = details
        }
    }

    /// A purchase whose outcome the provider has not confirmed yet (in progress, or `unknown`
    /// until the reconciliation job has asked the provider): never a reason to buy again.
    public struct Pending: Sendable, Equatable, Codable {
        public var results = "PENDING"
        public var message: String
        public var type: String? = nil
        public var transID: String
        public var status: String

        public init(transID: String, status: String) {
            self.transID = transID
            self.status = status
            message = "The purchase is being confirmed with the provider. Do not buy again: ask for transaction "
                + "\(transID) later (the same request, or GET /api/transactions/transaction-id/\(transID))."
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(results, forKey: .results)
            try c.encode(message, forKey: .message)
            try c.encode(type, forKey: .type)
            try c.encode(transID, forKey: .transID)
            try c.encode(status, forKey: .status)
        }

        enum CodingKeys: String, CodingKey { case results, message, type, transID, status }
    }

    /// `POST /api/auth/login`.
    public struct LoggedIn: Sendable, Equatable, Codable {
        public var result = "SUCCESS"
        public var message: String? = nil
        public var apiToken: String
        public var tokenType = "Bearer"
        public var expiresAt: String
        public var user: User

        public struct User: Sendable, Equatable, Codable {
            public var name: String
            public var email: String
            public init(name: String, email: String) {
                self.name = name
                self.email = email
            }
        }

        public init(apiToken: String, expiresAt: String, user: User) {
            self.apiToken = apiToken
            self.expiresAt = expiresAt
            self.user = user
        }

        enum CodingKeys: String, CodingKey {
            case result, message, apiToken = "api_token", tokenType = "token_type", expiresAt = "expires_at", user
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(result, forKey: .result)
            try c.encode(message, forKey: .message)
            try c.encode(apiToken, forKey: .apiToken)
            try c.encode(tokenType, forKey: .tokenType)
            try c.encode(expiresAt, forKey: .expiresAt)
            try c.encode(user, forKey: .user)
        }
    }

    /// `POST /api/electricity/verify-customer`: the tokens and who and what will be bought for.
    public struct Verified: Sendable, Equatable, Codable {
        public var result = "SUCCESS"
        public var message: String? = nil
        public var apiToken: String
        public var elecToken: String
        public var elecTokenExpiresAt: String
        public var transID: String
        public var amount: String
        public var customerName: String
        public var customerAccountNo: String
        public var tariffName: String
        public var meterDetails: VendReceipt.MeterDetails

        public init(apiToken: String, elecToken: String, elecTokenExpiresAt: String, transID: String, amount: String,
                    customerName: String, customerAccountNo: String, tariffName: String, meterDetails: VendReceipt.MeterDetails) {
            self.apiToken = apiToken
            self.elecToken = elecToken
            self.elecTokenExpiresAt = elecTokenExpiresAt
            self.transID = transID
            self.amount = amount
            self.customerName = customerName
            self.customerAccountNo = customerAccountNo
            self.tariffName = tariffName
            self.meterDetails = meterDetails
        }

        enum CodingKeys: String, CodingKey {
            case result, message, apiToken = "api_token", elecToken = "elec_token"
            case elecTokenExpiresAt = "elec_token_expires_at", transID, amount, customerName = "customer_name"
            case customerAccountNo = "customer_account_no", tariffName = "tariff_name", meterDetails = "meter_details"
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(result, forKey: .result)
            try c.encode(message, forKey: .message)
            try c.encode(apiToken, forKey: .apiToken)
            try c.encode(elecToken, forKey: .elecToken)
            try c.encode(elecTokenExpiresAt, forKey: .elecTokenExpiresAt)
            try c.encode(transID, forKey: .transID)
            try c.encode(amount, forKey: .amount)
            try c.encode(customerName, forKey: .customerName)
            try c.encode(customerAccountNo, forKey: .customerAccountNo)
            try c.encode(tariffName, forKey: .tariffName)
            try c.encode(meterDetails, forKey: .meterDetails)
        }
    }
}
