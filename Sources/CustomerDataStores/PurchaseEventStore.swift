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

    /// Records the event unless it exists. One statement resolves the references and, when the
    /// rules hold, inserts the event and its product lines unless the id or reference number is
    /// taken (`ON CONFLICT DO NOTHING`, which waits for a concurrent insert of the same key to
    /// commit), so a failure writes nothing and a new event costs one round trip. Only when
    /// nothing was inserted does a second statement read the events stored under the id or
    /// reference number: an earlier event decides (200 or 409) before the rules (400), as a
    /// retry of a recorded event is answered with its id whatever changed in the reference data.
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
            let stored = try StoredEvents(request, organizationID: organizationID, on: connection)
            if let outcome = try Self.compareWithStored(request, stored) { return outcome }
            let problems = try PurchaseEventResolution(row: row).problems(for: request)
            guard problems.isEmpty else { return .refused(RequestRefusal(problems, language: .english)) }
            // Nothing inserted, nothing stored, nothing wrong: the event that held the id or
            // reference number was deleted since (with its organisation), so try again.
            guard attempt < 3 else {
                throw PostgresError(code: .server, message: "purchase event \(RequestRefusal.quoted(request.referenceNumber)) neither inserted nor found, "
                                        + "and its references resolve: the insert's condition and the refusal rules disagree")
            }
        }
    }

    /// The events stored under a request's id and under its reference number (nil: none).
    struct StoredEvents {
        struct Event {
            let id: UUID
            let referenceNumber: String
            let requestJSON: String
        }

        var byID: Event?
        var byReference: Event?

        /// Sent unprepared, so planned for each call with the table's size then: a plan cached
        /// while the table was nearly empty may look a key up with only `organization_id` as the
        /// index condition, reading every event of the organisation on each retry.
        init(_ request: PurchaseEventRequest, organizationID: UUID, on connection: PostgresConnection) throws {
            let row = try connection.query(
                """
                SELECT byid.id AS id_event, byid.reference_number AS id_reference, byid.request::text AS id_request,
                       byref.id AS ref_event, byref.reference_number AS ref_reference, byref.request::text AS ref_request
                FROM (SELECT 1) AS one
                LEFT JOIN purchase_customer_events byid ON byid.organization_id = $1 AND byid.id = $2::uuid
                LEFT JOIN purchase_customer_events byref ON byref.organization_id = $1 AND byref.reference_number = $3
                """, [.uuid(organizationID), PostgresValue(request.id), .text(request.referenceNumber)])[0]
            if let id = try row.optionalUUID("id_event") {
                byID = Event(id: id, referenceNumber: try row.string("id_reference"), requestJSON: try row.string("id_request"))
            }
            if let id = try row.optionalUUID("ref_event") {
                byReference = Event(id: id, referenceNumber: try row.string("ref_reference"), requestJSON: try row.string("ref_request"))
            }
        }
    }

    /// The outcome when an event with the request's id or reference number exists; nil when none does.
    static func compareWithStored(_ request: PurchaseEventRequest, _ stored: StoredEvents) throws -> Outcome? {
        let reference = RequestRefusal.quoted(request.referenceNumber)
        if let stored = stored.byID, stored.referenceNumber != request.referenceNumber {
            return .conflict("id \(stored.id.uuidString.lowercased()) is already the id of the event with reference_number "
                                + "\(RequestRefusal.quoted(stored.referenceNumber)), not \(reference).")
        }
        if let stored = stored.byReference, let id = request.id, stored.id != id {
            return .conflict("reference_number \(reference) is already recorded as event \(stored.id.uuidString.lowercased()), "
                                + "not \(id.uuidString.lowercased()); a retry sends the same id, or none.")
        }
        guard let stored = stored.byID ?? stored.byReference else { return nil }
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
            .uuid(request.id ?? UUID()), .text(request.referenceNumber), PostgresValue(request.paymentMediumIdentifier), performedOn, spend.0, spend.1,
            .decimal(request.totalAmount), .jsonb(request.normalized.canonicalText), PostgresValue(apiKeyID),
            .decimalArray(request.products.map(\.quantity)), .decimalArray(request.products.map(\.netAmount)),
            .decimalArray(request.products.map(\.taxAmount)), .decimalArray(request.products.map(\.totalAmount)),
        ]
    }

    /// `$1`...`$11` are the resolution's; the CIM (`$3`) and the currency (`$6`) are recorded as
    /// given; the merchant recorded is the one named, else the outlet's parent.
    private static let statement = """
        WITH r AS (
        \(PurchaseEventResolution.statement)
        ), event AS (
            INSERT INTO purchase_customer_events (
                organization_id, id, reference_number, contact_id, account_id, cim, classification_id, currency_code,
                payment_medium_identifier, performed_on, merchant_id, outlet_id, spend_amount, spend_alternative_amount,
                total_amount, request, api_key_id)
            SELECT $1::uuid, $12::uuid, $13::text, r.contact_id, r.account_id, $3::text, r.classification_id, $6::text, $14::text,
                   coalesce($15::timestamptz, now()), coalesce(r.merchant_id, r.outlet_parent_id), r.outlet_id,
                   $16::numeric, $17::numeric, $18::numeric, $19::jsonb, $20::uuid
            FROM r
            WHERE \(PurchaseEventResolution.admissible)
            ON CONFLICT DO NOTHING
            RETURNING organization_id, id
        ), lines AS (
            INSERT INTO purchase_customer_event_products (
                organization_id, event_id, line, product_id, quantity, net_amount, tax_amount, total_amount)
            SELECT event.organization_id, event.id, l.n, l.product_id, l.quantity, l.net, l.tax, l.total
            FROM event, r, unnest(r.product_ids, $21::numeric[], $22::numeric[], $23::numeric[], $24::numeric[])
                WITH ORDINALITY AS l(product_id, quantity, net, tax, total, n)
        )
        SELECT r.*, (SELECT id FROM event) AS created_id FROM r
        """
}
