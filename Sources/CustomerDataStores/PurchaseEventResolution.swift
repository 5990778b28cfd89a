import CustomerData
import Foundation
import Postgres

/// What an event's references resolve to. Resolved in the same statement that inserts the events
/// for which the rules hold (`PurchaseEventStore`), so new events cost one round trip.
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

    /// The rules of `problems(for:)` as a condition on `statement`'s columns (as `r`): the event
    /// is inserted only when it holds. Should the two ever disagree, the store finds neither a
    /// problem nor an insert nor a stored event and says so (a 500), rather than writing what the
    /// rules refuse.
    static let admissible = """
        r.contact_id IS NOT NULL AND (r.accounts = 1 OR r.has_primary)
        AND ((r.given_classification_id IS NULL AND r.given_classification_code IS NULL) OR r.classification_id IS NOT NULL)
        AND (r.given_currency_code IS NULL OR r.currency_known)
        AND ((r.given_merchant_id IS NULL AND r.given_merchant_code IS NULL) OR r.merchant_id IS NOT NULL)
        AND ((r.given_outlet_id IS NULL AND r.given_outlet_code IS NULL) OR r.outlet_id IS NOT NULL)
        AND (r.merchant_id IS NULL OR r.outlet_id IS NULL OR r.outlet_parent_id = r.merchant_id)
        AND array_position(r.product_ids, NULL) IS NULL
        """

    /// The columns `init(row:)` reads, as `statement`'s result is named `r`.
    static let columns = """
        r.contact_id, r.account_id, r.accounts, r.has_primary, r.classification_id, r.currency_known, r.merchant_id, r.merchant_code,
        r.outlet_id, r.outlet_code, r.outlet_parent_id, r.outlet_parent_code, r.product_ids
        """

    /// One row per row of `input` (the events as named: `organization_id`, `n`, and the
    /// `given_*` references), every column of `input` and what it resolves to, whatever
    /// resolves; the SKUs come from `line_input` (`n`, `line`, `sku`). It reads no stored
    /// event: the events table grows with every post, so a cached plan made while it was nearly
    /// empty may scan all of an organisation's events for a look-up by key (PostgreSQL picked
    /// `purchase_customer_events_contact` with only `organization_id` as its condition).
    static let statement = """
        SELECT input.*, c.id AS contact_id, a.id AS account_id, a.accounts, a.has_primary,
               cl.id AS classification_id, (cur.code IS NOT NULL) AS currency_known,
               m.id AS merchant_id, m.code AS merchant_code,
               o.id AS outlet_id, o.code AS outlet_code, o.parent_id AS outlet_parent_id, op.code AS outlet_parent_code,
               ARRAY(SELECT p.id FROM line_input s
                     LEFT JOIN loyalty_products p ON p.organization_id = input.organization_id AND p.sku = s.sku
                     WHERE s.n = input.n ORDER BY s.line) AS product_ids
        FROM input
        LEFT JOIN loyalty_contacts c ON c.organization_id = input.organization_id AND c.id = coalesce(input.given_contact_id,
            (SELECT contact_id FROM loyalty_identification_media
             WHERE organization_id = input.organization_id AND value = input.given_cim))
        LEFT JOIN LATERAL (
            SELECT (array_agg(id ORDER BY is_primary DESC, created_at, id))[1] AS id, count(*)::int8 AS accounts,
                   bool_or(is_primary) AS has_primary
            FROM loyalty_accounts WHERE contact_id = c.id
        ) AS a ON c.id IS NOT NULL
        LEFT JOIN loyalty_classifications cl ON cl.organization_id = input.organization_id
            AND (cl.id = input.given_classification_id OR cl.code = input.given_classification_code)
        LEFT JOIN loyalty_currencies cur ON cur.organization_id = input.organization_id AND cur.code = input.given_currency_code
        LEFT JOIN loyalty_business_units m ON m.organization_id = input.organization_id
            AND (m.id = input.given_merchant_id OR m.code = input.given_merchant_code)
        LEFT JOIN loyalty_business_units o ON o.organization_id = input.organization_id
            AND (o.id = input.given_outlet_id OR o.code = input.given_outlet_code)
        LEFT JOIN loyalty_business_units op ON op.id = o.parent_id
        """
}
