import Foundation
import Postgres
import VendCore

/// An organisation's vending lately, for the status page: the last day's transactions by status
/// and the amount sold, what is unsettled now, and the newest transactions. The reads walk the
/// organisation's users (`vend_users_organization`) and each user's own index
/// (`vend_transactions_user`) instead of adding an organisation-wide index that every purchase
/// would have to maintain.
public enum VendActivityStore {
    public struct Activity: Sendable, Equatable {
        /// How far back `counts` and `amountSold` look.
        public static let hours = 24
        /// Transactions created in the last `hours`, by status (every status present, 0 when none).
        public let counts: [VendTransaction.Status: Int]
        /// What the successful ones of the last `hours` sold.
        public let amountSold: Decimal
        /// Transactions not settled yet (`pending` or `unknown`), whatever their age, and the oldest's time.
        public let unsettled: Int
        public let oldestUnsettledAt: Date?
        /// The newest transactions, newest first, with the e-mail of the agent who sold each.
        public let recent: [Recent]
    }

    /// A transaction as the page lists it (never its receipt: the credit token stays out of the page).
    public struct Recent: Sendable, Equatable {
        public let transID: String
        public let meterNumber: String
        public let amount: Decimal
        public let status: VendTransaction.Status
        public let agentEmail: String
        public let createdAt: Date
        /// The provider's fault (`code: message`) of a failed one, else the reconciliation's last note.
        public let detail: String?
    }

    static let summarySQL = """
        SELECT t.status, count(*)::bigint AS transactions,
               coalesce(sum(t.amount) FILTER (WHERE t.status = 'success'), 0) AS sold
        FROM vend_users AS u
        JOIN vend_transactions AS t ON t.user_id = u.id
        WHERE u.organization_id = $1 AND t.created_at >= now() - make_interval(hours => $2::int)
        GROUP BY t.status
        """

    static let unsettledSQL = """
        SELECT count(*)::bigint AS unsettled, min(created_at) AS oldest
        FROM vend_transactions
        WHERE organization_id = $1 AND status IN ('pending', 'unknown')
        """

    static let recentSQL = """
        SELECT t.trans_id, t.meter_number, t.amount, t.status, u.email, t.created_at,
               CASE WHEN t.failure_code IS NOT NULL THEN t.failure_code || ': ' || coalesce(t.failure_message, '')
                    ELSE t.last_reconcile_note END AS detail
        FROM vend_users AS u
        CROSS JOIN LATERAL (SELECT * FROM vend_transactions WHERE user_id = u.id ORDER BY created_at DESC, id DESC LIMIT $2) AS t
        WHERE u.organization_id = $1
        ORDER BY t.created_at DESC, t.id DESC
        LIMIT $2
        """

    public static func activity(organizationID: UUID, recentLimit: Int, on connection: PostgresConnection) throws -> Activity {
        var counts = Dictionary(uniqueKeysWithValues: VendTransaction.Status.allCases.map { ($0, 0) })
        var sold = Decimal(0)
        for row in try connection.query(summarySQL, [.uuid(organizationID), .int(Int64(Activity.hours))]) {
            counts[try status(row)] = try row.int("transactions")
            sold += try row.decimal("sold")
        }
        let unsettled = try connection.query(unsettledSQL, [.uuid(organizationID)])[0]
        let recent = try connection.query(recentSQL, [.uuid(organizationID), .int(Int64(recentLimit))]).map { row in
            Recent(transID: try row.string("trans_id"), meterNumber: try row.string("meter_number"), amount: try row.decimal("amount"),
                   status: try status(row), agentEmail: try row.string("email"), createdAt: try row.date("created_at"),
                   detail: try row.optionalString("detail"))
        }
        return Activity(counts: counts, amountSold: sold, unsettled: try unsettled.int("unsettled"),
                        oldestUnsettledAt: try unsettled.optionalDate("oldest"),
                        recent: recent)
    }

    private static func status(_ row: PostgresRow) throws -> VendTransaction.Status {
        let text = try row.string("status")
        guard let status = VendTransaction.Status(rawValue: text) else { throw VendStoreError.invalid("unknown transaction status '\(text)'") }
        return status
    }
}
