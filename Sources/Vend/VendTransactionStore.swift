import Domain
import Foundation
import Postgres
import Timekeeping
import VendCore

/// Vend transactions: one row per transID, from `pending` to its outcome. Outcomes are only ever
/// written over an unsettled row, so a settled one never changes.
struct VendTransactionStore: Sendable {
    static let columns = """
        t.id, t.trans_id, t.organization_id, t.user_id, t.meter_number, t.amount, t.status, t.provider, t.receipt,
        t.failure_code, t.failure_message, t.failure_details, t.created_at, t.updated_at, t.settled_at,
        t.reconcile_attempts, t.last_reconcile_note
        """

    func find(transID: String, on connection: PostgresConnection) throws -> VendTransaction? {
        try connection.queryPrepared("SELECT \(Self.columns) FROM vend_transactions t WHERE t.trans_id = $1", [.text(transID)])
            .first.map(Self.decode)
    }

    /// Records the purchase as `pending`, owned by its caller for `lease`. - Returns: nil when the
    /// transID exists already (the caller lost a race, or replays).
    func insertPending(_ purchase: VendPurchase, user: VendUser, provider: String, lease: Duration,
                       on connection: PostgresConnection) throws -> VendTransaction? {
        try connection.queryPrepared(
            """
            INSERT INTO vend_transactions AS t (trans_id, organization_id, user_id, meter_number, amount, status, provider,
                                                next_reconcile_at)
            VALUES ($1, $2, $3, $4, $5, 'pending', $6, now() + make_interval(secs => $7))
            ON CONFLICT (trans_id) DO NOTHING
            RETURNING \(Self.columns)
            """, [.text(purchase.transID), .uuid(user.organizationID), .uuid(user.id), .text(purchase.meterNumber.digits),
                  .decimal(purchase.amount), .text(provider), .double(lease.inSeconds)]
        ).first.map(Self.decode)
    }

    /// Settles an unsettled transaction as sold with `receipt`. - Returns: the row as it is now
    /// (unchanged when something settled it first).
    func recordSale(id: UUID, receipt: VendReceipt, note: String? = nil, on connection: PostgresConnection) throws -> VendTransaction {
        let json = try JSONEncoder().encode(receipt)
        return try settle(id: id, on: connection, """
            UPDATE vend_transactions t SET status = 'success', receipt = $2, settled_at = now(), updated_at = now(),
                next_reconcile_at = NULL, last_reconcile_note = coalesce($3, t.last_reconcile_note)
            WHERE t.id = $1 AND t.status IN ('pending', 'unknown') RETURNING \(Self.columns)
            """, [.uuid(id), .jsonb(json), PostgresValue(note)])
    }

    /// Settles an unsettled transaction as failed.
    func recordFailure(id: UUID, failure: VendTransaction.Failure, note: String? = nil,
                       on connection: PostgresConnection) throws -> VendTransaction {
        try settle(id: id, on: connection, """
            UPDATE vend_transactions t SET status = 'failed', failure_code = $2, failure_message = $3, failure_details = $4,
                settled_at = now(), updated_at = now(), next_reconcile_at = NULL,
                last_reconcile_note = coalesce($5, t.last_reconcile_note)
            WHERE t.id = $1 AND t.status IN ('pending', 'unknown') RETURNING \(Self.columns)
            """, [.uuid(id), .text(failure.code), .text(failure.message), .text(failure.details), PostgresValue(note)])
    }

    /// Marks an unsettled transaction `unknown`, to be asked about after `delay`.
    func recordUnknown(id: UUID, note: String, delay: Duration, on connection: PostgresConnection) throws -> VendTransaction {
        try settle(id: id, on: connection, """
            UPDATE vend_transactions t SET status = 'unknown', updated_at = now(), last_reconcile_note = $2,
                next_reconcile_at = now() + make_interval(secs => $3)
            WHERE t.id = $1 AND t.status IN ('pending', 'unknown') RETURNING \(Self.columns)
            """, [.uuid(id), .text(note), .double(delay.inSeconds)])
    }

    private func settle(id: UUID, on connection: PostgresConnection, _ sql: String,
                        _ parameters: [PostgresValue]) throws -> VendTransaction {
        if let row = try connection.queryPrepared(sql, parameters).first { return try Self.decode(row) }
        guard let current = try connection.queryPrepared(
            "SELECT \(Self.columns) FROM vend_transactions t WHERE t.id = $1", [.uuid(id)]).first else {
            throw VendStoreError.invalid("transaction \(id) vanished")
        }
        return try Self.decode(current)
    }

    /// Takes the next unsettled transaction that is due (or the one with `transID`, due or not,
    /// unless it is still `pending` within its caller's lease) for an advice call: it becomes
    /// `unknown` and is not due again for `claim`, so no other replica asks at the same time.
    /// - Returns: the transaction and the name of the user who bought it (the receipt's cashier).
    func claimForAdvice(transID: String? = nil, claim: Duration,
                        on connection: PostgresConnection) throws -> (transaction: VendTransaction, cashier: String)? {
        let condition = transID == nil
            ? "status IN ('pending', 'unknown') AND next_reconcile_at <= now()"
            : "trans_id = $2 AND (status = 'unknown' OR (status = 'pending' AND next_reconcile_at <= now()))"
        var parameters: [PostgresValue] = [.double(claim.inSeconds)]
        if let transID { parameters.append(.text(transID)) }
        guard let row = try connection.query(
            """
            WITH due AS (
                SELECT id FROM vend_transactions WHERE \(condition)
                ORDER BY next_reconcile_at LIMIT 1 FOR UPDATE SKIP LOCKED
            )
            UPDATE vend_transactions t SET status = 'unknown', reconcile_attempts = t.reconcile_attempts + 1, updated_at = now(),
                next_reconcile_at = now() + make_interval(secs => $1)
            FROM due WHERE t.id = due.id
            RETURNING \(Self.columns), (SELECT name FROM vend_users WHERE id = t.user_id)
            """, parameters).first else { return nil }
        return (try Self.decode(row), try row.string(17))
    }

    /// A page of the user's transactions, newest first, and how many there are in all.
    func page(userID: UUID, window: PageWindow, on connection: PostgresConnection) throws -> Page<VendTransaction> {
        let total = try connection.queryPrepared("SELECT count(*) FROM vend_transactions WHERE user_id = $1", [.uuid(userID)])
            .first?.int(0) ?? 0
        let items = try connection.queryPrepared(
            """
            SELECT \(Self.columns) FROM vend_transactions t WHERE t.user_id = $1
            ORDER BY t.created_at DESC, t.id DESC LIMIT $2 OFFSET $3
            """, [.uuid(userID), .int(Int64(window.limit)), .int(Int64(window.offset))]).map(Self.decode)
        return Page(records: items, total: total)
    }

    /// How many transactions are unsettled.
    func unsettledCount(on connection: PostgresConnection) throws -> Int {
        try connection.query("SELECT count(*) FROM vend_transactions WHERE status IN ('pending', 'unknown')").first?.int(0) ?? 0
    }

    /// Unsettled transactions, oldest first (for operators).
    func unsettled(limit: Int, on connection: PostgresConnection) throws -> [VendTransaction] {
        try connection.query(
            "SELECT \(Self.columns) FROM vend_transactions t WHERE t.status IN ('pending', 'unknown') ORDER BY t.created_at LIMIT $1",
            [.int(Int64(limit))]).map(Self.decode)
    }

    static func decode(_ row: PostgresRow) throws -> VendTransaction {
        let receipt = try row.optionalJSON(8).map { try JSONDecoder().decode(VendReceipt.self, from: $0) }
        let failure = try row.optionalString(9).map { code in
            VendTransaction.Failure(code: code, message: try row.optionalString(10) ?? "", details: try row.optionalString(11) ?? "")
        }
        guard let status = VendTransaction.Status(rawValue: try row.string(6)) else {
            throw VendStoreError.invalid("unknown transaction status '\(try row.string(6))'")
        }
        return VendTransaction(
            id: try row.uuid(0), transID: try row.string(1), organizationID: try row.uuid(2), userID: try row.uuid(3),
            meterNumber: try row.string(4), amount: try row.decimal(5), status: status, provider: try row.string(7),
            receipt: receipt, failure: failure, createdAt: try row.date(12), updatedAt: try row.date(13),
            settledAt: try row.optionalDate(14), reconcileAttempts: try row.int(15), lastReconcileNote: try row.optionalString(16))
    }
}
