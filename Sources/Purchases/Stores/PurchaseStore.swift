import Domain
import Foundation
import Postgres
import PurchaseCore

/// Purchases and their rows (Migrations/0011_purchases.sql).
public struct PurchaseStore: Sendable {
    /// Who a purchase is submitted for and by.
    public struct Submitter: Sendable {
        public let userID: UUID
        public let username: String
        /// The API token, when a token submitted it.
        public let tokenID: UUID?

        public init(userID: UUID, username: String, tokenID: UUID?) {
            self.userID = userID
            self.username = username
            self.tokenID = tokenID
        }
    }

    public init() {}

    /// Stores the purchase and all its rows in one transaction (the rows by COPY, whatever their
    /// number), status `pending`: the dispatcher hands it to the workflow engine after commit.
    /// - Precondition: `submission` has at least one row (the parser guarantees it).
    public func insert(_ submission: PurchaseSubmission, retailer: RetailerRecord, submitter: Submitter,
                       on connection: PostgresConnection) throws -> PurchaseRecord {
        precondition(!submission.rows.isEmpty, "a purchase has rows")
        var first = Int64.max, last = Int64.min
        for row in submission.rows {
            first = min(first, row.periodStart)
            last = max(last, row.periodStart)
        }
        return try connection.transaction { connection in
            let id = try connection.queryPrepared("""
                INSERT INTO purchases (organization_id, retailer_id, user_id, username, submitted_by, row_count,
                                       first_period_start, last_period_start)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id
                """, [.uuid(retailer.organizationID), .uuid(retailer.id), .uuid(submitter.userID), .text(submitter.username),
                      PostgresValue(submitter.tokenID), .int(Int64(submission.rows.count)), .timestamptz(Self.date(first)),
                      .timestamptz(Self.date(last))])[0].uuid(0)
            try connection.copyFrom(
                "COPY purchase_rows (purchase_id, period_start, label, occurrence, mw) FROM STDIN",
                rows: submission.rows.lazy.map { row -> [PostgresValue] in
                    [.uuid(id), .timestamptz(Self.date(row.periodStart)), .text(row.label.description),
                     .int(Int64(row.occurrence)), .text(row.quantity.text)]
                })
            guard let record = try purchase(id: id, organizationID: retailer.organizationID, on: connection) else {
                throw PostgresError(code: .decoding, message: "purchase \(id) vanished inside its own transaction")
            }
            return record
        }
    }

    /// The organisation's purchase with this id, nil when there is none.
    public func purchase(id: UUID, organizationID: UUID, on connection: PostgresConnection) throws -> PurchaseRecord? {
        try connection.queryPrepared("""
            SELECT \(PurchaseRecord.columns) FROM purchases p JOIN retailers r ON r.id = p.retailer_id
            WHERE p.id = $1 AND p.organization_id = $2
            """, [.uuid(id), .uuid(organizationID)]).first.map(PurchaseRecord.decode)
    }

    /// A page of a user's purchases, newest first, and how many there are in all.
    public func list(userID: UUID, organizationID: UUID, window: PageWindow,
                     on connection: PostgresConnection) throws -> Page<PurchaseRecord> {
        let rows = try connection.queryPrepared("""
            SELECT \(PurchaseRecord.columns), count(*) OVER () AS total
            FROM purchases p JOIN retailers r ON r.id = p.retailer_id
            WHERE p.organization_id = $1 AND p.user_id = $2
            ORDER BY p.created_at DESC, p.id DESC
            OFFSET $3 LIMIT $4
            """, [.uuid(organizationID), .uuid(userID), .int(Int64(window.offset)), .int(Int64(window.limit))])
        let purchases = try rows.map(PurchaseRecord.decode)
        if let first = rows.first { return Page(records: purchases, total: try first.int("total")) }
        // An offset past the end returns no rows, and so no total: count separately.
        let total = try connection.queryPrepared("SELECT count(*) FROM purchases WHERE organization_id = $1 AND user_id = $2",
                                                 [.uuid(organizationID), .uuid(userID)])[0].int(0)
        return Page(records: purchases, total: total)
    }

    /// The rows of a purchase in time order.
    public func rows(purchaseID: UUID, on connection: PostgresConnection) throws -> [StoredPurchaseRow] {
        try connection.query(
            "SELECT period_start, label, occurrence, mw FROM purchase_rows WHERE purchase_id = $1 ORDER BY period_start",
            [.uuid(purchaseID)]
        ).map { row in
            StoredPurchaseRow(periodStart: try row.date(0), label: try row.string(1), occurrence: try row.int(2),
                              megawatts: try row.decimal(3))
        }
    }

    static func date(_ seconds: Int64) -> Date { Date(timeIntervalSince1970: TimeInterval(seconds)) }
}
