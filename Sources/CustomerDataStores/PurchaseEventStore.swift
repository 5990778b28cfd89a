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

    /// Records the event unless it exists. The event and its product lines are one statement,
    /// so a failure writes nothing; concurrent posts of one event make one row (the unique keys
    /// decide, the losers find the winner's event and compare bodies).
    public func record(_ request: PurchaseEventRequest, organizationID: UUID, apiKeyID: UUID?,
                       on connection: PostgresConnection) throws -> Outcome {
        var attempt = 0
        while true {
            attempt += 1
            let resolution = try PurchaseEventResolution.resolve(request, organizationID: organizationID, on: connection)
            if let outcome = try Self.compareWithStored(request, resolution) { return outcome }
            let problems = resolution.problems(for: request)
            guard problems.isEmpty else { return .refused(RequestRefusal(problems, language: .english)) }
            do {
                if let id = try insert(request, resolution, organizationID: organizationID, apiKeyID: apiKeyID, on: connection) {
                    return .created(id)
                }
            } catch let error as PostgresError where error.sqlState == "23503" && attempt < 3 {
                continue  // reference data changed between resolving and inserting: resolve again
            }
            // Another post of the same id or reference number won the race: compare with it.
            guard attempt < 3 else { throw PostgresError(code: .server, message: "purchase event neither inserted nor found") }
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

    /// - Returns: the new event's id, or nil when an event with its id or reference number exists.
    private func insert(_ request: PurchaseEventRequest, _ resolution: PurchaseEventResolution, organizationID: UUID,
                        apiKeyID: UUID?, on connection: PostgresConnection) throws -> UUID? {
        let cim: String? = if case .cim(let cim) = request.contact { cim } else { nil }
        let spend: (PostgresValue, PostgresValue) = switch request.spendRequest {
        case .amount(let amount)?: (.decimal(amount), .null)
        case .alternativeAmount(let amount)?: (.null, .decimal(amount))
        case nil: (.null, .null)
        }
        let performedOn: PostgresValue = request.performedOn.map { .timestamptz(Date(timeIntervalSince1970: Double($0))) } ?? .null
        let rows = try connection.queryPrepared(Self.insertStatement, [
            .uuid(organizationID), .uuid(request.id ?? UUID()), .text(request.referenceNumber),
            PostgresValue(resolution.contactID), PostgresValue(resolution.accountID), PostgresValue(cim),
            PostgresValue(resolution.classificationID), PostgresValue(request.currencyCode), PostgresValue(request.paymentMediumIdentifier),
            performedOn, PostgresValue(resolution.recordedMerchantID), PostgresValue(resolution.outletID), spend.0, spend.1,
            .decimal(request.totalAmount), .jsonb(request.normalized.canonicalText), PostgresValue(apiKeyID),
            .uuidArray(resolution.productIDs), .decimalArray(request.products.map(\.quantity)),
            .decimalArray(request.products.map(\.netAmount)), .decimalArray(request.products.map(\.taxAmount)),
            .decimalArray(request.products.map(\.totalAmount)),
        ])
        return try rows.first?.uuid(0)
    }

    private static let insertStatement = """
        WITH event AS (
            INSERT INTO purchase_customer_events (
                organization_id, id, reference_number, contact_id, account_id, cim, classification_id, currency_code,
                payment_medium_identifier, performed_on, merchant_id, outlet_id, spend_amount, spend_alternative_amount,
                total_amount, request, api_key_id)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, coalesce($10::timestamptz, now()), $11, $12, $13, $14, $15, $16, $17)
            ON CONFLICT DO NOTHING
            RETURNING organization_id, id
        ), lines AS (
            INSERT INTO purchase_customer_event_products (
                organization_id, event_id, line, product_id, quantity, net_amount, tax_amount, total_amount)
            SELECT event.organization_id, event.id, l.n, l.product_id, l.quantity, l.net, l.tax, l.total
            FROM event, unnest($18::uuid[], $19::numeric[], $20::numeric[], $21::numeric[], $22::numeric[])
                WITH ORDINALITY AS l(product_id, quantity, net, tax, total, n)
        )
        SELECT id FROM event
        """
}
