import CustomerData
import Foundation
import Postgres

/// What an event's references resolve to. Resolved in the same statement that inserts the event
/// when the rules hold (`PurchaseEventStore`), so a new event costs one round trip.
struct PurchaseEventResolution {
    var contactID: UUID?
    var accountID: UUID?
    var accountCount = 0
    var hasPrimaryAccount = false
    var classificationID: UUID?
    var currencyKnown = false
    var merchantID: UUID?
    var merchantCode: String?
    var outletID: UUID?
    var outletParentID: UUID?
    var outletParentCode: String?
    var outletCode: String?
    /// Per product line, in order; nil for an unknown SKU.
    var productIDs: [UUID?] = []

    /// The parameters `$1`...`$11` of `statement`.
    static func parameters(_ request: PurchaseEventRequest, organizationID: UUID) -> [PostgresValue] {
        func parts(_ reference: PurchaseEventRequest.Reference?) -> (PostgresValue, PostgresValue) {
            switch reference {
            case .id(let id)?: (.uuid(id), .null)
            case .code(let code)?: (.null, .text(code))
            case nil: (.null, .null)
            }
        }
        let (contactID, cim): (PostgresValue, PostgresValue) = switch request.contact {
        case .id(let id): (.uuid(id), .null)
        case .cim(let cim): (.null, .text(cim))
        }
        let classification = parts(request.classification), merchant = parts(request.merchant), outlet = parts(request.outlet)
        return [
            .uuid(organizationID), contactID, cim, classification.0, classification.1, PostgresValue(request.currencyCode), merchant.0, merchant.1, outlet.0, outlet.1,
            .textArray(request.products.map(\.sku)),
        ]
    }

    /// Reads a row of `statement`'s columns.
    init(row: PostgresRow) throws {
        contactID = try row.optionalUUID("contact_id")
        accountID = try row.optionalUUID("account_id")
        accountCount = try row.optionalInt("accounts") ?? 0
        hasPrimaryAccount = try row.optionalBool("has_primary") ?? false
        classificationID = try row.optionalUUID("classification_id")
        currencyKnown = try row.bool("currency_known")
        merchantID = try row.optionalUUID("merchant_id")
        merchantCode = try row.optionalString("merchant_code")
        outletID = try row.optionalUUID("outlet_id")
        outletCode = try row.optionalString("outlet_code")
        outletParentID = try row.optionalUUID("outlet_parent_id")
        outletParentCode = try row.optionalString("outlet_parent_code")
        productIDs = try row.uuidArray("product_ids")
    }

    /// Every reference that does not resolve, or breaks a rule of the seed, as a message.
    func problems(for request: PurchaseEventRequest) -> [String] {
        var problems: [String] = []
        switch request.contact {
        case .id(let id) where contactID == nil:
            problems.append("contact_id: no contact has id \(id.uuidString.lowercased()).")
        case .cim(let cim) where contactID == nil:
            problems.append("cim: no contact has the identification medium \(RequestRefusal.quoted(cim)).")
        default:
            let field = if case .cim = request.contact { "cim" } else { "contact_id" }
            let contact = contactID?.uuidString.lowercased() ?? ""
            if accountCount == 0 {
                problems.append("\(field): contact \(contact) has no account to record the purchase against.")
            } else if accountCount > 1, !hasPrimaryAccount {
                problems.append("\(field): contact \(contact) has \(accountCount) accounts and none is primary.")
            }
        }
        if let classification = request.classification, classificationID == nil {
            problems.append("classification: no classification has \(Self.describe(classification)).")
        }
        if let code = request.currencyCode, !currencyKnown {
            problems.append("currency_code: \(code) is not one of the organisation's currencies.")
        }
        if let merchant = request.merchant, merchantID == nil {
            problems.append("merchant_tap: no business unit has \(Self.describe(merchant)).")
        }
        if let outlet = request.outlet {
            if outletID == nil {
                problems.append("outlet_tap: no business unit has \(Self.describe(outlet)).")
            } else if let merchantID, outletParentID != merchantID {
                let outletName = RequestRefusal.quoted(outletCode ?? ""), merchantName = RequestRefusal.quoted(merchantCode ?? "")
                if let parent = outletParentCode {
                    problems.append("outlet_tap: outlet \(outletName) belongs to merchant \(RequestRefusal.quoted(parent)) (its parent business unit), not to merchant_tap \(merchantName).")
                } else {
                    problems.append("outlet_tap: business unit \(outletName) has no parent business unit, so it is not an outlet of merchant_tap \(merchantName).")
                }
            }
        }
        for (index, product) in request.products.enumerated() where index >= productIDs.count || productIDs[index] == nil {
            problems.append("products[\(index)].product_sku: no product has SKU \(RequestRefusal.quoted(product.sku)).")
        }
        return problems
    }

    private static func describe(_ reference: PurchaseEventRequest.Reference) -> String {
        switch reference {
        case .id(let id): "id \(id.uuidString.lowercased())"
        case .code(let code): "code \(RequestRefusal.quoted(code))"
        }
    }

    /// The rules of `problems(for:)` as a condition on `statement`'s columns (as `r`) and
    /// parameters: the event is inserted only when it holds. Should the two ever disagree, the
    /// store finds neither a problem nor an insert nor a stored event and says so (a 500), rather
    /// than writing what the rules refuse.
    static let admissible = """
        r.contact_id IS NOT NULL AND (r.accounts = 1 OR r.has_primary)
        AND (($4::uuid IS NULL AND $5::text IS NULL) OR r.classification_id IS NOT NULL)
        AND ($6::text IS NULL OR r.currency_known)
        AND (($7::uuid IS NULL AND $8::text IS NULL) OR r.merchant_id IS NOT NULL)
        AND (($9::uuid IS NULL AND $10::text IS NULL) OR r.outlet_id IS NOT NULL)
        AND (r.merchant_id IS NULL OR r.outlet_id IS NULL OR r.outlet_parent_id = r.merchant_id)
        AND array_position(r.product_ids, NULL) IS NULL
        """

    /// One row whatever resolves; parameters from `parameters(_:organizationID:)`. It reads no
    /// stored event: the events table grows with every post, so a cached plan made while it was
    /// nearly empty may scan all of an organisation's events for a look-up by key (PostgreSQL
    /// picked `purchase_customer_events_contact` with only `organization_id` as its condition).
    static let statement = """
        SELECT c.id AS contact_id, a.id AS account_id, a.accounts, a.has_primary,
               cl.id AS classification_id, (cur.code IS NOT NULL) AS currency_known,
               m.id AS merchant_id, m.code AS merchant_code,
               o.id AS outlet_id, o.code AS outlet_code, o.parent_id AS outlet_parent_id, op.code AS outlet_parent_code,
               ARRAY(SELECT p.id FROM unnest($11::text[]) WITH ORDINALITY AS s(sku, n)
                     LEFT JOIN loyalty_products p ON p.organization_id = $1 AND p.sku = s.sku ORDER BY s.n) AS product_ids
        FROM (SELECT 1) AS one
        LEFT JOIN loyalty_contacts c ON c.organization_id = $1 AND c.id = coalesce($2::uuid,
            (SELECT contact_id FROM loyalty_identification_media WHERE organization_id = $1 AND value = $3::text))
        LEFT JOIN LATERAL (
            SELECT (array_agg(id ORDER BY is_primary DESC, created_at, id))[1] AS id, count(*)::int8 AS accounts,
                   bool_or(is_primary) AS has_primary
            FROM loyalty_accounts WHERE contact_id = c.id
        ) AS a ON c.id IS NOT NULL
        LEFT JOIN loyalty_classifications cl ON cl.organization_id = $1 AND (cl.id = $4::uuid OR cl.code = $5::text)
        LEFT JOIN loyalty_currencies cur ON cur.organization_id = $1 AND cur.code = $6::text
        LEFT JOIN loyalty_business_units m ON m.organization_id = $1 AND (m.id = $7::uuid OR m.code = $8::text)
        LEFT JOIN loyalty_business_units o ON o.organization_id = $1 AND (o.id = $9::uuid OR o.code = $10::text)
        LEFT JOIN loyalty_business_units op ON op.id = o.parent_id
        """
}
