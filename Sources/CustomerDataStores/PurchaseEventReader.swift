import CustomerData
import Domain
import ExactJSON
import Foundation
import Postgres

/// Reads recorded purchase customer events: one by id, or a contact's, newest first.
public struct PurchaseEventReader: Sendable {
    public init() {}

    public func event(id: UUID, organizationID: UUID, on connection: PostgresConnection) throws -> PurchaseEventRecord? {
        try connection.queryPrepared(Self.select + " WHERE e.organization_id = $1 AND e.id = $2", [.uuid(organizationID), .uuid(id)])
            .first.map(Self.decode)
    }

    /// A page of the contact's events (by `performed_on`, newest first), and how many it has.
    public func events(contactID: UUID, organizationID: UUID, window: PageWindow,
                       on connection: PostgresConnection) throws -> Page<PurchaseEventRecord> {
        let events = try connection.queryPrepared(
            Self.select + " WHERE e.organization_id = $1 AND e.contact_id = $2 ORDER BY e.performed_on DESC, e.id OFFSET $3 LIMIT $4",
            [.uuid(organizationID), .uuid(contactID), .int(Int64(window.offset)), .int(Int64(window.limit))]).map(Self.decode)
        let total = try connection.queryPrepared(
            "SELECT count(*)::int8 FROM purchase_customer_events WHERE organization_id = $1 AND contact_id = $2",
            [.uuid(organizationID), .uuid(contactID)])[0].int(0)
        return Page(records: events, total: total)
    }

    /// The contact a CIM names in the organisation.
    public func contactID(cim: String, organizationID: UUID, on connection: PostgresConnection) throws -> UUID? {
        try connection.queryPrepared("SELECT contact_id FROM loyalty_identification_media WHERE organization_id = $1 AND value = $2",
                                     [.uuid(organizationID), .text(cim)]).first?.uuid(0)
    }

    /// Whether the organisation has the contact.
    public func contactExists(_ id: UUID, organizationID: UUID, on connection: PostgresConnection) throws -> Bool {
        try !connection.queryPrepared("SELECT 1 FROM loyalty_contacts WHERE organization_id = $1 AND id = $2",
                                      [.uuid(organizationID), .uuid(id)]).isEmpty
    }

    private static let select = """
        SELECT e.id, e.reference_number, e.contact_id, e.account_id, e.cim, e.classification_id, cl.code AS classification_code,
               e.currency_code, e.payment_medium_identifier, e.performed_on, e.merchant_id, m.code AS merchant_code,
               e.outlet_id, o.code AS outlet_code, e.spend_amount, e.spend_alternative_amount, e.total_amount,
               e.life_cycle_state, e.created_at,
               (SELECT coalesce(json_agg(json_build_object('id', p.id, 'sku', p.sku, 'quantity', l.quantity, 'net', l.net_amount,
                                                           'tax', l.tax_amount, 'total', l.total_amount) ORDER BY l.line), '[]')
                FROM purchase_customer_event_products l JOIN loyalty_products p ON p.id = l.product_id
                WHERE l.organization_id = e.organization_id AND l.event_id = e.id)::text AS products
        FROM purchase_customer_events e
        LEFT JOIN loyalty_classifications cl ON cl.id = e.classification_id
        LEFT JOIN loyalty_business_units m ON m.id = e.merchant_id
        LEFT JOIN loyalty_business_units o ON o.id = e.outlet_id
        """

    static func decode(_ row: PostgresRow) throws -> PurchaseEventRecord {
        func named(_ id: String, _ code: String) throws -> PurchaseEventRecord.Named? {
            guard let id = try row.optionalUUID(id), let code = try row.optionalString(code) else { return nil }
            return .init(id: id, code: code)
        }
        let lines = try (ExactJSON.parse(try row.string("products")).arrayValue ?? []).map { line -> PurchaseEventRecord.Line in
            let object = line.objectValue
            func decimal(_ key: String) throws -> Decimal {
                guard let value = object?[key]?.numberValue?.decimal else {
                    throw PostgresError(code: .decoding, message: "product line without \(key)")
                }
                return value
            }
            guard let id = object?["id"]?.stringValue.flatMap(UUID.init(uuidString:)), let sku = object?["sku"]?.stringValue else {
                throw PostgresError(code: .decoding, message: "product line without product")
            }
            return .init(product: .init(id: id, code: sku), quantity: try decimal("quantity"), netAmount: try decimal("net"),
                         taxAmount: try decimal("tax"), totalAmount: try decimal("total"))
        }
        let spend: PurchaseEventRequest.SpendRequest? = if let amount = try row.optionalDecimal("spend_amount") {
            .amount(amount)
        } else {
            try row.optionalDecimal("spend_alternative_amount").map { .alternativeAmount($0) }
        }
        return PurchaseEventRecord(
            id: try row.uuid("id"), referenceNumber: try row.string("reference_number"), contactID: try row.uuid("contact_id"),
            accountID: try row.uuid("account_id"), cim: try row.optionalString("cim"),
            classification: try named("classification_id", "classification_code"), currencyCode: try row.optionalString("currency_code"),
            paymentMediumIdentifier: try row.optionalString("payment_medium_identifier"), performedOn: try row.date("performed_on"),
            merchant: try named("merchant_id", "merchant_code"), outlet: try named("outlet_id", "outlet_code"), products: lines,
            spendRequest: spend, totalAmount: try row.decimal("total_amount"), lifeCycleState: try row.string("life_cycle_state"),
            createdAt: try row.date("created_at"))
    }
}
