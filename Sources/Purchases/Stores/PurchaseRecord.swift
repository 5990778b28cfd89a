import Foundation
import Postgres
import PurchaseCore

/// A stored purchase as `GET .../purchases/{id}` shows it.
public struct PurchaseRecord: Sendable, Equatable {
    public let id: UUID
    public let organizationID: UUID
    public let retailerID: UUID
    /// The retailer's client-facing id.
    public let retailerExternalID: String
    public let userID: UUID
    public let username: String
    public let rowCount: Int
    public let firstPeriodStart: Date
    public let lastPeriodStart: Date
    public let status: PurchaseStatus
    public let error: String
    /// `argo` or `amqp` once handed over.
    public let engine: String?
    public let workflowName: String?
    public let dispatchAttempts: Int
    public let submittedAt: Date?
    public let startedAt: Date?
    public let finishedAt: Date?
    public let createdAt: Date
    public let updatedAt: Date

    /// The select list `decode` reads; `p` is `purchases`, `r` is `retailers`.
    static let columns = """
        p.id, p.organization_id, p.retailer_id, r.external_id AS retailer_external_id, p.user_id, p.username, p.row_count,
        p.first_period_start, p.last_period_start, p.status, p.error, p.engine, p.workflow_name, p.dispatch_attempts,
        p.submitted_at, p.started_at, p.finished_at, p.created_at, p.updated_at
        """

    static func decode(_ row: PostgresRow) throws -> PurchaseRecord {
        let statusText = try row.string("status")
        guard let status = PurchaseStatus(rawValue: statusText) else {
            throw PostgresError(code: .decoding, message: "purchase status '\(statusText)' is unknown to this version")
        }
        return PurchaseRecord(
            id: try row.uuid("id"), organizationID: try row.uuid("organization_id"), retailerID: try row.uuid("retailer_id"),
            retailerExternalID: try row.string("retailer_external_id"), userID: try row.uuid("user_id"),
            username: try row.string("username"), rowCount: try row.int("row_count"),
            firstPeriodStart: try row.date("first_period_start"), lastPeriodStart: try row.date("last_period_start"),
            status: status, error: try row.string("error"), engine: try row.optionalString("engine"),
            workflowName: try row.optionalString("workflow_name"), dispatchAttempts: try row.int("dispatch_attempts"),
            submittedAt: try row.optionalDate("submitted_at"), startedAt: try row.optionalDate("started_at"),
            finishedAt: try row.optionalDate("finished_at"), createdAt: try row.date("created_at"),
            updatedAt: try row.date("updated_at"))
    }
}

/// One stored row, read back (for tests and exports).
public struct StoredPurchaseRow: Sendable, Equatable {
    public let periodStart: Date
    public let label: String
    public let occurrence: Int
    public let megawatts: Decimal
}
