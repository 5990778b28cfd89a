import CustomerData
import Foundation

/// A recorded purchase customer event, with its references resolved.
public struct PurchaseEventRecord: Sendable, Equatable {
    /// A business unit, classification or product: its id and its code.
    public struct Named: Sendable, Equatable {
        public let id: UUID
        public let code: String
    }

    public struct Line: Sendable, Equatable {
        public let product: Named
        public let quantity: Decimal
        public let netAmount: Decimal
        public let taxAmount: Decimal
        public let totalAmount: Decimal
    }

    public let id: UUID
    public let referenceNumber: String
    public let contactID: UUID
    public let accountID: UUID
    public let cim: String?
    public let classification: Named?
    public let currencyCode: String?
    public let paymentMediumIdentifier: String?
    public let performedOn: Date
    public let merchant: Named?
    public let outlet: Named?
    public let products: [Line]
    public let spendRequest: PurchaseEventRequest.SpendRequest?
    public let totalAmount: Decimal
    /// Always `POSTED` (seed 003: "a purchase customer event in a posted life cycle state").
    public let lifeCycleState: String
    public let createdAt: Date
}
