import ExactJSON
import Foundation

/// A valid purchase customer event body (seed 003), before its references are resolved.
public struct PurchaseEventRequest: Sendable, Equatable {
    /// A record named by its GUID or by its code, exactly one of the two.
    public enum Reference: Sendable, Equatable, Hashable {
        case id(UUID)
        case code(String)
    }

    /// The contact the event is for: by GUID or by a contact identification medium.
    public enum Contact: Sendable, Equatable, Hashable {
        case id(UUID)
        case cim(String)
    }

    public struct Product: Sendable, Equatable {
        public let sku: String
        /// 1 when the client gave none.
        public let quantity: Decimal
        public let netAmount: Decimal
        public let taxAmount: Decimal
        public let totalAmount: Decimal

        public init(sku: String, quantity: Decimal, netAmount: Decimal, taxAmount: Decimal, totalAmount: Decimal) {
            self.sku = sku
            self.quantity = quantity
            self.netAmount = netAmount
            self.taxAmount = taxAmount
            self.totalAmount = totalAmount
        }
    }

    public enum SpendRequest: Sendable, Equatable {
        /// In real currency.
        case amount(Decimal)
        /// In the alternative (reward) currency.
        case alternativeAmount(Decimal)
    }

    /// The client's GUID for the event; nil to have one made.
    public let id: UUID?
    public let contact: Contact
    public let referenceNumber: String
    public let classification: Reference?
    public let currencyCode: String?
    public let paymentMediumIdentifier: String?
    /// Whole seconds since the epoch; nil for "now" (the time the event is recorded).
    public let performedOn: Int64?
    public let merchant: Reference?
    public let outlet: Reference?
    public let products: [Product]
    public let spendRequest: SpendRequest?

    public init(id: UUID?, contact: Contact, referenceNumber: String, classification: Reference? = nil, currencyCode: String? = nil,
                paymentMediumIdentifier: String? = nil, performedOn: Int64? = nil, merchant: Reference? = nil, outlet: Reference? = nil,
                products: [Product], spendRequest: SpendRequest? = nil) {
        self.id = id
        self.contact = contact
        self.referenceNumber = referenceNumber
        self.classification = classification
        self.currencyCode = currencyCode
        self.paymentMediumIdentifier = paymentMediumIdentifier
        self.performedOn = performedOn
        self.merchant = merchant
        self.outlet = outlet
        self.products = products
        self.spendRequest = spendRequest
    }

    /// The request in a canonical form, without `id`: what "the same body" means for
    /// idempotency. Object keys sorted, numbers in their shortest exact form, `quantity`'s default
    /// filled in, so that spelling differences do not count as a different body.
    public var normalized: ExactJSON {
        var members: [JSONObject.Member] = []
        func add(_ key: String, _ value: ExactJSON?) {
            if let value { members.append(.init(key: key, value: value)) }
        }
        switch contact {
        case .id(let id): add("contact_id", .string(id.uuidString.lowercased()))
        case .cim(let cim): add("cim", .string(cim))
        }
        add("reference_number", .string(referenceNumber))
        add("classification", classification.map(Self.json))
        add("currency_code", currencyCode.map { .string($0) })
        add("payment_medium_identifier", paymentMediumIdentifier.map { .string($0) })
        add("performed_on", performedOn.map { .number(JSONNumber(Int($0))) })
        add("merchant_tap", merchant.map(Self.json))
        add("outlet_tap", outlet.map(Self.json))
        add("products", .array(products.map { product in
            .object(JSONObject([
                "product_sku": .string(product.sku), "quantity": .number(JSONNumber(product.quantity)),
                "net_amount": .number(JSONNumber(product.netAmount)), "tax_amount": .number(JSONNumber(product.taxAmount)),
                "total_amount": .number(JSONNumber(product.totalAmount)),
            ]))
        }))
        switch spendRequest {
        case .amount(let amount)?: add("spend_request", .object(JSONObject(["amount": .number(JSONNumber(amount))])))
        case .alternativeAmount(let amount)?:
            add("spend_request", .object(JSONObject(["alternative_amount": .number(JSONNumber(amount))])))
        case nil: break
        }
        return .object(JSONObject(members))
    }

    /// The top-level fields whose values differ between this request and a stored normalised
    /// one, for a 409 that says what conflicts.
    public func fieldsDiffering(from stored: ExactJSON) -> [String] {
        let mine = normalized.objectValue ?? JSONObject([]), theirs = stored.objectValue ?? JSONObject([])
        let keys = Set(mine.keys).union(theirs.keys)
        return keys.filter { mine[$0]?.canonicalText != theirs[$0]?.canonicalText }.sorted()
    }

    /// The sum of the products' `total_amount`.
    public var totalAmount: Decimal { products.reduce(Decimal(0)) { $0 + $1.totalAmount } }

    private static func json(_ reference: Reference) -> ExactJSON {
        switch reference {
        case .id(let id): .object(JSONObject(["id": .string(id.uuidString.lowercased())]))
        case .code(let code): .object(JSONObject(["code": .string(code)]))
        }
    }
}
