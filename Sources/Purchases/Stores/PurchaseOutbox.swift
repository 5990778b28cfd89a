import Foundation
import Postgres
import PurchaseCore
import Timekeeping

/// The dispatch outbox and status tracking over `purchases` (Migrations/0011_purchases.sql).
///
/// Each statement runs on its own (no transaction spans an engine call): a claim moves the row's
/// `next_dispatch_at` (or `next_poll_at`) ahead by a lease in the statement that finds it with
/// `FOR UPDATE SKIP LOCKED`, so dispatchers of every replica get disjoint rows, and a claimer that
/// dies mid-call leaves the row to be claimed again once its lease ran out.
public struct PurchaseOutbox: Sendable {
    /// A pending purchase claimed for one dispatch attempt.
    public struct DueDispatch: Sendable, Equatable {
        public let id: UUID
        public let organizationID: UUID
        public let organizationSlug: String
        public let retailerExternalID: String
        public let username: String
        public let rowCount: Int
        /// Attempts made before this one.
        public let attempts: Int
        public let createdAt: Date
    }

    /// A handed-over purchase claimed for one status poll.
    public struct DuePoll: Sendable, Equatable {
        public let id: UUID
        public let workflowName: String
        public let status: PurchaseStatus
        /// Consecutive polls that got no usable answer.
        public let pollFailures: Int

        public init(id: UUID, workflowName: String, status: PurchaseStatus, pollFailures: Int) {
            self.id = id
            self.workflowName = workflowName
            self.status = status
            self.pollFailures = pollFailures
        }
    }

    public init() {}

    /// Claims up to `limit` pending purchases whose next attempt is due, oldest due first.
    public func claimDispatches(limit: Int, lease: Duration, on connection: PostgresConnection) throws -> [DueDispatch] {
        try connection.queryPrepared("""
            WITH due AS (
                SELECT id FROM purchases
                WHERE status = 'pending' AND next_dispatch_at <= now()
                ORDER BY next_dispatch_at
                LIMIT $1
                FOR UPDATE SKIP LOCKED
            )
            UPDATE purchases AS p SET next_dispatch_at = clock_timestamp() + make_interval(secs => $2)
            FROM due, retailers AS r, organizations AS o
            WHERE p.id = due.id AND r.id = p.retailer_id AND o.id = p.organization_id
            RETURNING p.id, p.organization_id, o.slug, r.external_id, p.username, p.row_count, p.dispatch_attempts, p.created_at
            """, [.int(Int64(limit)), .double(lease.inSeconds)]
        ).map { row in
            DueDispatch(id: try row.uuid(0), organizationID: try row.uuid(1), organizationSlug: try row.string(2),
                        retailerExternalID: try row.string(3), username: try row.string(4), rowCount: try row.int(5),
                        attempts: try row.int(6), createdAt: try row.date(7))
        }.sorted { $0.createdAt < $1.createdAt }
    }

    /// The engine took the purchase (or already had it): `submitted`, with the engine and the
    /// workflow's name, the error cleared; polled after `pollAfter` (nil: the engine reports by
    /// itself). Also fills in the engine and name when a status update overtook the dispatch.
    /// - Returns: false when the purchase was handed over already.
    @discardableResult
    public func markSubmitted(_ id: UUID, engine: String, workflowName: String, pollAfter: Duration?,
                              on connection: PostgresConnection) throws -> Bool {
        try connection.queryPrepared("""
            UPDATE purchases SET status = CASE WHEN status = 'pending' THEN 'submitted' ELSE status END,
                engine = $2, workflow_name = $3, error = CASE WHEN status = 'pending' THEN '' ELSE error END,
                next_dispatch_at = NULL, dispatch_attempts = dispatch_attempts + 1,
                submitted_at = coalesce(submitted_at, clock_timestamp()),
                next_poll_at = CASE WHEN $4::float8 IS NULL OR status IN ('completed', 'failed') THEN NULL
                                    ELSE clock_timestamp() + make_interval(secs => $4) END
            WHERE id = $1 AND (status = 'pending' OR workflow_name IS NULL)
            """, [.uuid(id), .text(engine), .text(workflowName), PostgresValue(pollAfter?.inSeconds)]).affectedRows == 1
    }

    /// Still pending: tried again after `delay`; `error` is what the client sees meanwhile.
    public func scheduleDispatchRetry(_ id: UUID, after delay: Duration, error: String, on connection: PostgresConnection) throws {
        try connection.queryPrepared("""
            UPDATE purchases SET dispatch_attempts = dispatch_attempts + 1, error = $3,
                                 next_dispatch_at = clock_timestamp() + make_interval(secs => $2)
            WHERE id = $1 AND status = 'pending'
            """, [.uuid(id), .double(delay.inSeconds), .text(String(error.prefix(1000)))])
    }

    /// The engine refused the purchase for good: `failed` with the reason.
    public func markDispatchRefused(_ id: UUID, error: String, on connection: PostgresConnection) throws {
        try connection.queryPrepared("""
            UPDATE purchases SET status = 'failed', error = $2, next_dispatch_at = NULL, dispatch_attempts = dispatch_attempts + 1,
                                 finished_at = clock_timestamp()
            WHERE id = $1 AND status = 'pending'
            """, [.uuid(id), .text(String(error.prefix(1000)))])
    }

    /// Claims up to `limit` handed-over purchases whose status poll is due.
    public func claimPolls(limit: Int, lease: Duration, on connection: PostgresConnection) throws -> [DuePoll] {
        try connection.queryPrepared("""
            WITH due AS (
                SELECT id FROM purchases
                WHERE status IN ('submitted', 'running') AND next_poll_at <= now()
                ORDER BY next_poll_at
                LIMIT $1
                FOR UPDATE SKIP LOCKED
            )
            UPDATE purchases AS p SET next_poll_at = clock_timestamp() + make_interval(secs => $2)
            FROM due WHERE p.id = due.id AND p.workflow_name IS NOT NULL
            RETURNING p.id, p.workflow_name, p.status, p.poll_failures
            """, [.int(Int64(limit)), .double(lease.inSeconds)]
        ).map { row in
            DuePoll(id: try row.uuid(0), workflowName: try row.string(1),
                    status: PurchaseStatus(rawValue: try row.string(2)) ?? .submitted, pollFailures: try row.int(3))
        }
    }

    /// What the engine says of the workflow. Moves the status forward only (never out of a
    /// terminal one); a failure's message becomes the purchase's error; the engine's own start and
    /// finish times are kept when it gives them. `nextPollAfter` nil stops polling.
    /// - Returns: the purchase's status after the update, nil when it is unknown.
    @discardableResult
    public func applyWorkflowStatus(_ id: UUID, status: PurchaseStatus, message: String = "", startedAt: Date? = nil,
                                    finishedAt: Date? = nil, nextPollAfter: Duration?,
                                    on connection: PostgresConnection) throws -> PurchaseStatus? {
        let row = try connection.queryPrepared("""
            WITH target AS (SELECT id, status AS old FROM purchases WHERE id = $1 FOR UPDATE),
            updated AS (
                UPDATE purchases AS p SET
                    status = CASE WHEN purchase_status_rank($2) > purchase_status_rank(t.old) THEN $2 ELSE p.status END,
                    error = CASE WHEN $2 = 'failed' THEN $3 ELSE '' END,
                    started_at = coalesce(p.started_at, $4, CASE WHEN $2 IN ('running', 'completed') THEN clock_timestamp() END),
                    finished_at = CASE WHEN $2 IN ('completed', 'failed') THEN coalesce(p.finished_at, $5, clock_timestamp()) END,
                    next_poll_at = CASE WHEN $2 IN ('completed', 'failed') OR $6::float8 IS NULL THEN NULL
                                        ELSE clock_timestamp() + make_interval(secs => $6) END,
                    poll_failures = 0
                FROM target AS t
                WHERE p.id = t.id AND t.old NOT IN ('completed', 'failed') AND purchase_status_rank($2) >= purchase_status_rank(t.old)
                RETURNING p.status
            )
            SELECT (SELECT status FROM updated) AS updated, (SELECT old FROM target) AS old
            """, [.uuid(id), .text(status.rawValue), .text(String(message.prefix(1000))), PostgresValue(startedAt),
                  PostgresValue(finishedAt), PostgresValue(nextPollAfter?.inSeconds)]).singleRow()
        guard let row, let current = try row.optionalString("updated") ?? row.optionalString("old") else { return nil }
        return PurchaseStatus(rawValue: current)
    }

    /// No usable answer from the engine this time: poll again after `delay`, counting the failure.
    public func schedulePoll(_ id: UUID, after delay: Duration, countingFailure: Bool, on connection: PostgresConnection) throws {
        try connection.queryPrepared("""
            UPDATE purchases SET next_poll_at = clock_timestamp() + make_interval(secs => $2),
                                 poll_failures = poll_failures + $3
            WHERE id = $1 AND status IN ('submitted', 'running')
            """, [.uuid(id), .double(delay.inSeconds), .int(countingFailure ? 1 : 0)])
    }
}
