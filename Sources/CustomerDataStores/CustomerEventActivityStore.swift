import Foundation
import Postgres

/// An organisation's purchase customer events lately, for the status page: the last day's events
/// (by when they were performed) with their contacts and totals per currency, the clients that
/// may post them, and the newest events. Like the vend reads, these walk the organisation's
/// contacts (`loyalty_contacts_organization`) and each contact's own index
/// (`purchase_customer_events_contact`) instead of an organisation-wide index every event post
/// would have to maintain.
public enum CustomerEventActivityStore {
    public struct Activity: Sendable, Equatable {
        /// How far back `events`, `contacts` and `totals` look (by `performed_on`).
        public static let hours = 24
        /// Events performed in the last `hours` (or later, up to the accepted horizon).
        public let events: Int
        /// The contacts those events belong to.
        public let contacts: Int
        /// Their total amounts per currency (nil: the events named none), by currency code.
        public let totals: [CurrencyTotal]
        /// API keys not revoked, and auth tokens of those keys not expired yet.
        public let activeAPIKeys: Int
        public let liveTokens: Int
        /// The newest events by `performed_on`, newest first.
        public let recent: [Recent]
    }

    public struct CurrencyTotal: Sendable, Equatable {
        public let currency: String?
        public let events: Int
        public let amount: Decimal
    }

    /// An event as the page lists it: what and when, never who (the contact stays off the page).
    public struct Recent: Sendable, Equatable {
        public let id: UUID
        public let referenceNumber: String
        public let performedOn: Date
        public let totalAmount: Decimal
        public let currency: String?
        public let productLines: Int
        public let receivedAt: Date
    }

    static let totalsSQL = """
        SELECT e.currency_code, count(*)::bigint AS events, sum(e.total_amount) AS amount
        FROM loyalty_contacts AS c
        JOIN purchase_customer_events AS e ON e.organization_id = c.organization_id AND e.contact_id = c.id
        WHERE c.organization_id = $1 AND e.performed_on >= now() - make_interval(hours => $2::int)
        GROUP BY e.currency_code
        ORDER BY e.currency_code NULLS LAST
        """

    static let contactsSQL = """
        SELECT count(*)::bigint AS contacts
        FROM loyalty_contacts AS c
        WHERE c.organization_id = $1 AND EXISTS (
            SELECT 1 FROM purchase_customer_events AS e
            WHERE e.organization_id = c.organization_id AND e.contact_id = c.id
              AND e.performed_on >= now() - make_interval(hours => $2::int))
        """

    static let clientsSQL = """
        SELECT count(*) FILTER (WHERE k.revoked_at IS NULL)::bigint AS keys,
               (SELECT count(*) FROM customer_event_tokens AS t JOIN customer_event_api_keys AS tk ON tk.id = t.api_key_id
                WHERE tk.organization_id = $1 AND tk.revoked_at IS NULL AND t.expires_at > now())::bigint AS tokens
        FROM customer_event_api_keys AS k
        WHERE k.organization_id = $1
        """

    static let recentSQL = """
        SELECT e.id, e.reference_number, e.performed_on, e.total_amount, e.currency_code, e.created_at,
               (SELECT count(*) FROM purchase_customer_event_products AS p
                WHERE p.organization_id = e.organization_id AND p.event_id = e.id)::bigint AS lines
        FROM loyalty_contacts AS c
        CROSS JOIN LATERAL (
            SELECT * FROM purchase_customer_events
            WHERE organization_id = c.organization_id AND contact_id = c.id
            ORDER BY performed_on DESC, id LIMIT $2) AS e
        WHERE c.organization_id = $1
        ORDER BY e.performed_on DESC, e.id
        LIMIT $2
        """

    public static func activity(organizationID: UUID, recentLimit: Int, on connection: PostgresConnection) throws -> Activity {
        let hours = PostgresValue.int(Int64(Activity.hours))
        let totals = try connection.query(totalsSQL, [.uuid(organizationID), hours]).map { row in
            CurrencyTotal(currency: try row.optionalString("currency_code"), events: try row.int("events"),
                          amount: try row.decimal("amount"))
        }
        let contacts = try connection.query(contactsSQL, [.uuid(organizationID), hours])[0].int("contacts")
        let clients = try connection.query(clientsSQL, [.uuid(organizationID)])[0]
        let recent = try connection.query(recentSQL, [.uuid(organizationID), .int(Int64(recentLimit))]).map { row in
            Recent(id: try row.uuid("id"), referenceNumber: try row.string("reference_number"), performedOn: try row.date("performed_on"),
                   totalAmount: try row.decimal("total_amount"), currency: try row.optionalString("currency_code"),
                   productLines: try row.int("lines"), receivedAt: try row.date("created_at"))
        }
        return Activity(events: totals.map(\.events).reduce(0, +), contacts: contacts, totals: totals,
                        activeAPIKeys: try clients.int("keys"), liveTokens: try clients.int("tokens"), recent: recent)
    }
}
