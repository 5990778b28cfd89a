import CustomerData
import ExactJSON
import Foundation
import Postgres

/// Purchase customer events (`Migrations/0022_customer_events.sql`): recorded all or nothing,
/// once per id and per reference number.
public struct PurchaseEventStore: Sendable {
    public enum Outcome: Sendable, Equatable {
        /// A new event (201).
        case created(UUID)
        /// The same body was recorded before under this id (200).
        case existing(UUID)
        /// The id or reference number is taken by a different event or body (409).
        case conflict(String)
        /// References that do not resolve or break a rule (400); nothing was written.
        case refused(RequestRefusal)
    }

    public init() {}

    /// Records the event unless it exists. One statement resolves the references, looks for an
    /// event with the same id or reference number and, when the rules hold and there is none,
    /// inserts the event and its product lines, so a failure writes nothing and a new event costs
    /// one round trip. Concurrent posts of one event make one row: the unique keys decide, and
    /// the posts that lose find the winner's event on their next try and compare bodies.
    public func record(_ request: PurchaseEventRequest, organizationID: UUID, apiKeyID: UUID?,
                       on connection: PostgresConnection) throws -> Outcome {
        var attempt = 0
        while true {
            attempt += 1
            let row: PostgresRow
            do {
                row = try connection.queryPrepared(Self.statement, Self.parameters(request, organizationID: organizationID, apiKeyID: apiKeyID))[0]
            } catch let error as PostgresError where error.sqlState == "23503" && attempt < 3 {
                continue  // reference data changed between resolving and inserting: resolve again
            }
            if let id = try row.optionalUUID("created_id") { return .created(id) }
            let resolution = try PurchaseEventResolution(row: row)
            if let outcome = try Self.compareWithStored(request, resolution) { return outcome }
            let problems = resolution.problems(for: request)
            guard problems.isEmpty else { return .refused(RequestRefusal(problems, language: .english)) }
            // Nothing inserted, nothing stored, nothing wrong: another post of the same id or
            // reference number won the race (its event is visible to the next statement).
            guard attempt < 3 else {
                throw PostgresError(code: .server, message: "purchase event \(RequestRefusal.quoted(request.referenceNumber)) neither inserted nor found, "
                                        + "and its references resolve: the insert's condition and the refusal rules disagree")
            }
        }
    }

    /// The outcome when an event with the request's id or reference number exists; nil when none does.
    static func compareWithStored(_ request: PurchaseEventRequest, _ resolution: PurchaseEventResolution) throws -> Outcome? {
        let reference = RequestRefusal.quoted(request.referenceNumber)
        if let stored = resolution.byID, stored.referenceNumber != request.referenceNumber {
            return .conflict("id \(stored.id.uuidString.lowercased()) is already the id of the event with reference_number "
                                + "\(RequestRefusal.quoted(stored.referenceNumber)), not \(reference).")
        }
        if let stored = resolution.byReference, let id = request.id, stored.id != id {
            return .conflict("reference_number \(reference) is already recorded as event \(stored.id.uuidString.lowercased()), "
                                + "not \(id.uuidString.lowercased()); a retry sends the same id, or none.")
        }
        guard let stored = resolution.byID ?? resolution.byReference else { return nil }
        let differing = request.fieldsDiffering(from: try ExactJSON.parse(stored.requestJSON))
        guard differing.isEmpty else {
            return .conflict("reference_number \(reference) is already recorded as event \(stored.id.uuidString.lowercased()) "
                                + "with a different body (\(differing.joined(separator: ", ")) \(differing.count == 1 ? "differs" : "differ")); "
                                + "a new event needs a new reference_number.")
        }
        return .existing(stored.id)
    }

    private static func parameters(_ request: PurchaseEventRequest, organizationID: UUID, apiKeyID: UUID?) -> [PostgresValue] {
        let spend: (PostgresValue, PostgresValue) = switch request.spendRequest {
        case .amount(let amount)?: (.decimal(amount), .null)
        case .alternativeAmount(let amount)?: (.null, .decimal(amount))
        case nil: (.null, .null)
        }
        let performedOn: PostgresValue = request.performedOn.map { .timestamptz(Date(timeIntervalSince1970: Double($0))) } ?? .null
        return PurchaseEventResolution.parameters(request, organizationID: organizationID) + [
            .uuid(request.id ?? UUID()), PostgresValue(request.paymentMediumIdentifier), performedOn, spend.0, spend.1,
            .decimal(request.totalAmount), .jsonb(request.normalized.canonicalText), PostgresValue(apiKeyID),
            .decimalArray(request.products.map(\.quantity)), .decimalArray(request.products.map(\.netAmount)),
            .decimalArray(request.products.map(\.taxAmount)), .decimalArray(request.products.map(\.totalAmount)),
        ]
    }

    /// `$1`...`$13` are the resolution's; the CIM (`$5`) and the currency (`$8`) are recorded as
    /// given; the merchant recorded is the one named, else the outlet's parent.
    private static let statement = """
        WITH r AS (
        \(PurchaseEventResolution.statement)
        ), event AS (
            INSERT INTO purchase_customer_events (
                organization_id, id, reference_number, contact_id, account_id, cim, classification_id, currency_code,
                payment_medium_identifier, performed_on, merchant_id, outlet_id, spend_amount, spend_alternative_amount,
                total_amount, request, api_key_id)
            SELECT $1::uuid, $14::uuid, $3::text, r.contact_id, r.account_id, $5::text, r.classification_id, $8::text, $15::text,
                   coalesce($16::timestamptz, now()), coalesce(r.merchant_id, r.outlet_parent_id), r.outlet_id,
                   $17::numeric, $18::numeric, $19::numeric, $20::jsonb, $21::uuid
            FROM r
            WHERE \(PurchaseEventResolution.admissible)
            ON CONFLICT DO NOTHING
            RETURNING organization_id, id
        ), lines AS (
            INSERT INTO purchase_customer_event_products (
                organization_id, event_id, line, product_id, quantity, net_amount, tax_amount, total_amount)
            SELECT event.organization_id, event.id, l.n, l.product_id, l.quantity, l.net, l.tax, l.total
            FROM event, r, unnest(r.product_ids, $22::numeric[], $23::numeric[], $24::numeric[], $25::numeric[])
                WITH ORDINALITY AS l(product_id, quantity, net, tax, total, n)
        )
        SELECT r.*, (SELECT id FROM event) AS created_id FROM r
        """
}
