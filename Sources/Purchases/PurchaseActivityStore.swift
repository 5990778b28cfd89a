import Foundation
import Postgres
import PurchaseCore

/// An organisation's purchases lately, for the status page: the last day's purchases by status
/// and how many market periods they hold, what still waits for its hand-over to the workflow
/// engine, and the newest purchases.
public enum PurchaseActivityStore {
    public struct Activity: Sendable, Equatable {
        /// How far back `counts` and `periods` look.
        public static let hours = 24
        /// Purchases created in the last `hours`, by status (every status present, 0 when none).
        public let counts: [PurchaseStatus: Int]
        /// The market periods (rows) those purchases hold.
        public let periods: Int
        /// Purchases not handed over yet (`pending`), whatever their age, and the oldest's time.
        public let waiting: Int
        public let oldestWaitingAt: Date?
        /// The newest purchases, newest first.
        public let recent: [PurchaseRecord]
    }

    static let summarySQL = """
        SELECT status, count(*)::bigint AS purchases, coalesce(sum(row_count), 0)::bigint AS periods
        FROM purchases
        WHERE organization_id = $1 AND created_at >= now() - make_interval(hours => $2::int)
        GROUP BY status
        """

    static let waitingSQL = """
        SELECT count(*)::bigint AS waiting, min(created_at) AS oldest
        FROM purchases WHERE organization_id = $1 AND status = 'pending'
        """

    static let recentSQL = """
        SELECT \(PurchaseRecord.columns) FROM purchases p JOIN retailers r ON r.id = p.retailer_id
        WHERE p.organization_id = $1
        ORDER BY p.created_at DESC, p.id DESC
        LIMIT $2
        """

    public static func activity(organizationID: UUID, recentLimit: Int, on connection: PostgresConnection) throws -> Activity {
        var counts = Dictionary(uniqueKeysWithValues: PurchaseStatus.allCases.map { ($0, 0) })
        var periods = 0
        for row in try connection.query(summarySQL, [.uuid(organizationID), .int(Int64(Activity.hours))]) {
            let text = try row.string("status")
            guard let status = PurchaseStatus(rawValue: text) else {
                throw PostgresError(code: .decoding, message: "purchase status '\(text)' is unknown to this version")
            }
            counts[status] = try row.int("purchases")
            periods += try row.int("periods")
        }
        let waiting = try connection.query(waitingSQL, [.uuid(organizationID)])[0]
        let recent = try connection.query(recentSQL, [.uuid(organizationID), .int(Int64(recentLimit))]).map(PurchaseRecord.decode)
        return Activity(counts: counts, periods: periods, waiting: try waiting.int("waiting"),
                        oldestWaitingAt: try waiting.optionalDate("oldest"), recent: recent)
    }
}
