import Foundation
import JSON

/// One purchase as recorded, from the moment it was committed (`pending`) to its outcome.
public struct VendTransaction: Sendable, Equatable {
    public enum Status: String, Sendable, Codable, CaseIterable {
        /// Committed; the caller that recorded it is asking the provider.
        case pending
        /// The provider may or may not have sold; only its advice settles it.
        case unknown
        case success
        case failed

        public var isSettled: Bool { self == .success || self == .failed }
    }

    /// Why a transaction failed: the provider's fault, or ours (`code` "unreachable" when the
    /// request certainly never reached it).
    public struct Failure: Sendable, Equatable, Codable {
        public var code: String
        public var message: String
        public var details: String

        public init(code: String, message: String, details: String) {
            self.code = code
            self.message = message
            self.details = details
        }
    }

    public let id: UUID
    public let transID: String
    public let organizationID: UUID
    public let userID: UUID
    public let meterNumber: String
    public let amount: Decimal
    public let status: Status
    public let provider: String
    /// The receipt as first issued (`reprint` false); set exactly when `status` is `success`.
    public let receipt: VendReceipt?
    public let failure: Failure?
    public let createdAt: Date
    public let updatedAt: Date
    public let settledAt: Date?
    public let reconcileAttempts: Int
    /// What the last advice call said, for operators.
    public let lastReconcileNote: String?

    public init(id: UUID, transID: String, organizationID: UUID, userID: UUID, meterNumber: String, amount: Decimal,
                status: Status, provider: String, receipt: VendReceipt?, failure: Failure?, createdAt: Date, updatedAt: Date,
                settledAt: Date?, reconcileAttempts: Int, lastReconcileNote: String?) {
        self.id = id
        self.transID = transID
        self.organizationID = organizationID
        self.userID = userID
        self.meterNumber = meterNumber
        self.amount = amount
        self.status = status
        self.provider = provider
        self.receipt = receipt
        self.failure = failure
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.settledAt = settledAt
        self.reconcileAttempts = reconcileAttempts
        self.lastReconcileNote = lastReconcileNote
    }

    /// Whether this transaction is the purchase `purchase` by `userID` (a replay), rather than
    /// another purchase reusing its transID.
    public func isSamePurchase(_ purchase: VendPurchase, by userID: UUID) -> Bool {
        self.userID == userID && transID == purchase.transID && meterNumber == purchase.meterNumber.digits
            && amount == purchase.amount
    }
}

extension VendBody {
    /// One transaction in the history endpoints.
    public struct Transaction: Sendable, Equatable, Codable {
        public var transID: String
        public var meterNumber: String
        public var amount: String
        public var status: String
        public var createdAt: String
        public var updatedAt: String
        /// The receipt, marked as a reprint; null unless the purchase succeeded.
        public var receipt: VendReceipt?
        /// Null unless the purchase failed.
        public var failure: ProviderFailed?

        public init(_ transaction: VendTransaction, dates: VendDateFormat) {
            transID = transaction.transID
            meterNumber = transaction.meterNumber
            amount = MoneyText.format(transaction.amount)
            status = transaction.status.rawValue
            createdAt = dates.string(from: transaction.createdAt)
            updatedAt = dates.string(from: transaction.updatedAt)
            receipt = transaction.receipt.map { receipt in
                var copy = receipt
                copy.reprint = true
                return copy
            }
            failure = transaction.failure.map { ProviderFailed(details: $0.details) }
        }

        enum CodingKeys: String, CodingKey {
            case transID, meterNumber, amount, status, createdAt = "created_at", updatedAt = "updated_at", receipt, failure
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(transID, forKey: .transID)
            try c.encode(meterNumber, forKey: .meterNumber)
            try c.encode(amount, forKey: .amount)
            try c.encode(status, forKey: .status)
            try c.encode(createdAt, forKey: .createdAt)
            try c.encode(updatedAt, forKey: .updatedAt)
            try c.encode(receipt, forKey: .receipt)
            try c.encode(failure, forKey: .failure)
        }
    }

    /// `GET /api/transactions/transaction-id/{transID}`.
    public struct TransactionFound: Sendable, Equatable, Codable {
        public var result = "SUCCESS"
        public var message: String? = nil
        public var transaction: Transaction

        public init(transaction: Transaction) { self.transaction = transaction }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(result, forKey: .result)
            try c.encode(message, forKey: .message)
            try c.encode(transaction, forKey: .transaction)
        }

        enum CodingKeys: String, CodingKey { case result, message, transaction }
    }

    /// `GET /api/transactions`: a page, newest first, with the project's paging `meta`.
    public struct TransactionPage: Sendable, Equatable, Codable {
        public var result = "SUCCESS"
        public var message: String? = nil
        public var data: [Transaction]
        /// The project's paging `meta` (`page`, `limit`, `total`, `totalPages`).
        public var meta: JSONValue

        public init(data: [Transaction], meta: JSONValue) {
            self.data = data
            self.meta = meta
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(result, forKey: .result)
            try c.encode(message, forKey: .message)
            try c.encode(data, forKey: .data)
            try c.encode(meta, forKey: .meta)
        }

        enum CodingKeys: String, CodingKey { case result, message, data, meta }
    }
}
