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

    /// An event to record, and for whom.
    public struct Post: Sendable {
        public let request: PurchaseEventRequest
        public let organizationID: UUID
        public let apiKeyID: UUID?

        public init(_ request: PurchaseEventRequest, organizationID: UUID, apiKeyID: UUID?) {
            self.request = request
            self.organizationID = organizationID
            self.apiKeyID = apiKeyID
        }

        /// The id to insert: the client's, else one made now (kept for every attempt).
        let newID = UUID()
        var eventID: UUID { request.id ?? newID }
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
        try record(Post(request, organizationID: organizationID, apiKeyID: apiKeyID), resolvedBy: nil, on: connection)
    }

    /// `record` of one post whose first attempt may have run already, with others, in `insert`
    /// (`resolved`: its row there).
    func record(_ post: Post, resolvedBy resolved: PostgresRow?, on connection: PostgresConnection) throws -> Outcome {
        let request = post.request
        var attempt = 0
        var resolved = resolved
        while true {
            attempt += 1
            let row: PostgresRow
            if let first = resolved {
                row = first
                resolved = nil
            } else {
                do {
                    row = try Self.insert([post], on: connection)[0]
                } catch let error as PostgresError where error.sqlState == "23503" && attempt < 3 {
                    continue  // reference data changed between resolving and inserting: resolve again
                }
            }
            if let id = try row.optionalUUID("created_id") { return .created(id) }
            let stored = try StoredEvents(request, organizationID: post.organizationID, on: connection)
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

    /// Runs the recording statement for `posts` (distinct ids and reference numbers) in one
    /// transaction: the posts whose rules hold and whose id and reference number are free are
    /// inserted, with their lines. - Returns: per post, in order, what its references resolve to
    /// and `created_id` (nil when nothing was inserted). Any failure inserts nothing at all.
    static func insert(_ posts: [Post], on connection: PostgresConnection) throws -> [PostgresRow] {
        let rows = try connection.queryPrepared(statement, parameters(posts))
        guard rows.count == posts.count else {
            throw PostgresError(code: .server, message: "the recording statement answered \(rows.count) rows for \(posts.count) events")
        }
        return Array(rows)
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

    /// The arrays of `statement`: one element per post (`$1`...`$19`), one per product line (`$20`...`$26`).
    private static func parameters(_ posts: [Post]) -> [PostgresValue] {
        func id(_ reference: PurchaseEventRequest.Reference?) -> UUID? { if case .id(let id)? = reference { id } else { nil } }
        func code(_ reference: PurchaseEventRequest.Reference?) -> String? { if case .code(let code)? = reference { code } else { nil } }
        let requests = posts.map(\.request)
        let lines = requests.enumerated().flatMap { event, request in
            request.products.enumerated().map { (event: Int64(event + 1), line: Int64($0.offset + 1), product: $0.element) }
        }
        return [
            .uuidArray(posts.map(\.organizationID)),
            .uuidArray(requests.map { if case .id(let id) = $0.contact { id } else { nil } }),
            .textArray(requests.map { if case .cim(let cim) = $0.contact { cim } else { nil } }),
            .uuidArray(requests.map { id($0.classification) }), .textArray(requests.map { code($0.classification) }),
            .textArray(requests.map(\.currencyCode)),
            .uuidArray(requests.map { id($0.merchant) }), .textArray(requests.map { code($0.merchant) }),
            .uuidArray(requests.map { id($0.outlet) }), .textArray(requests.map { code($0.outlet) }),
            .uuidArray(posts.map(\.eventID)), .textArray(requests.map(\.referenceNumber)), .textArray(requests.map(\.paymentMediumIdentifier)),
            .timestamptzArray(requests.map { $0.performedOn.map { Date(timeIntervalSince1970: Double($0)) } }),
            .decimalArray(requests.map { if case .amount(let amount)? = $0.spendRequest { amount } else { nil } }),
            .decimalArray(requests.map { if case .alternativeAmount(let amount)? = $0.spendRequest { amount } else { nil } }),
            .decimalArray(requests.map(\.totalAmount)), .textArray(requests.map(\.normalized.canonicalText)), .uuidArray(posts.map(\.apiKeyID)),
            .intArray(lines.map(\.event)), .intArray(lines.map(\.line)), .textArray(lines.map(\.product.sku)),
            .decimalArray(lines.map(\.product.quantity)), .decimalArray(lines.map(\.product.netAmount)),
            .decimalArray(lines.map(\.product.taxAmount)), .decimalArray(lines.map(\.product.totalAmount)),
        ]
    }

    /// The events as `input` and their lines as `line_input` for the resolution (`r`); the
    /// CIM and the currency are recorded as given; the merchant recorded is the one named, else
    /// the outlet's parent.
    private static let statement = """
        WITH input AS (
            SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::uuid[], $5::text[], $6::text[], $7::uuid[], $8::text[],
                                 $9::uuid[], $10::text[], $11::uuid[], $12::text[], $13::text[], $14::timestamptz[], $15::numeric[],
                                 $16::numeric[], $17::numeric[], $18::text[], $19::uuid[]) WITH ORDINALITY
                AS input(organization_id, given_contact_id, given_cim, given_classification_id, given_classification_code,
                         given_currency_code, given_merchant_id, given_merchant_code, given_outlet_id, given_outlet_code,
                         event_id, reference_number, payment_medium_identifier, performed_on, spend_amount, spend_alternative_amount,
                         total_amount, request, api_key_id, n)
        ), line_input AS (
            SELECT * FROM unnest($20::int8[], $21::int8[], $22::text[], $23::numeric[], $24::numeric[], $25::numeric[], $26::numeric[])
                AS line_input(n, line, sku, quantity, net, tax, total)
        ), r AS (
        \(PurchaseEventResolution.statement)
        ), event AS (
            INSERT INTO purchase_customer_events (
                organization_id, id, reference_number, contact_id, account_id, cim, classification_id, currency_code,
                payment_medium_identifier, performed_on, merchant_id, outlet_id, spend_amount, spend_alternative_amount,
                total_amount, request, api_key_id)
            SELECT r.organization_id, r.event_id, r.reference_number, r.contact_id, r.account_id, r.given_cim, r.classification_id,
                   r.given_currency_code, r.payment_medium_identifier, coalesce(r.performed_on, now()),
                   coalesce(r.merchant_id, r.outlet_parent_id), r.outlet_id, r.spend_amount, r.spend_alternative_amount,
                   r.total_amount, r.request::jsonb, r.api_key_id
            FROM r
            WHERE \(PurchaseEventResolution.admissible)
            ON CONFLICT DO NOTHING
            RETURNING organization_id, id
        ), lines AS (
            INSERT INTO purchase_customer_event_products (
                organization_id, event_id, line, product_id, quantity, net_amount, tax_amount, total_amount)
            SELECT event.organization_id, event.id, l.line, r.product_ids[l.line], l.quantity, l.net, l.tax, l.total
            FROM event JOIN r ON r.organization_id = event.organization_id AND r.event_id = event.id
            JOIN line_input l ON l.n = r.n
        )
        SELECT \(PurchaseEventResolution.columns), event.id AS created_id
        FROM r LEFT JOIN event ON event.organization_id = r.organization_id AND event.id = r.event_id
        ORDER BY r.n
        """
}
