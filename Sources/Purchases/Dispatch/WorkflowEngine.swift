import Foundation
import PurchaseCore

/// What a workflow engine is told about a purchase: its id and the workflow name derived from it.
/// The rows stay in PostgreSQL (a workflow object is capped near 1 MB); the workflow reads them by id.
public struct WorkflowSubmission: Sendable, Equatable {
    public let purchaseID: UUID
    public let workflowName: String
    public let organizationSlug: String
    public let retailerExternalID: String
    public let username: String
    public let rowCount: Int

    public init(purchaseID: UUID, organizationSlug: String, retailerExternalID: String, username: String, rowCount: Int) {
        self.purchaseID = purchaseID
        self.workflowName = WorkflowNaming.name(for: purchaseID)
        self.organizationSlug = organizationSlug
        self.retailerExternalID = retailerExternalID
        self.username = username
        self.rowCount = rowCount
    }
}

/// How a submit ended.
public enum WorkflowSubmitOutcome: Sendable, Equatable {
    /// The engine created the workflow.
    case accepted(workflowName: String)
    /// The engine has a workflow of that name already: an earlier attempt went through (its answer
    /// was lost, or tradingd stopped before recording it).
    case alreadyExists(workflowName: String)
    /// The engine asks to come back later (HTTP 429 and `Retry-After`).
    case throttled(retryAfter: Duration, reason: String)
    /// No usable answer, or an answer that may change (unreachable, 5xx, credentials or template
    /// not accepted yet): retried with backoff.
    case unavailable(reason: String)
    /// The engine refused this submission for good (invalid argument): the purchase fails.
    case refused(reason: String)
}

/// What the engine says of a workflow.
public enum WorkflowStatusOutcome: Sendable, Equatable {
    case phase(WorkflowPhase, startedAt: Date?, finishedAt: Date?)
    case notFound
    case throttled(retryAfter: Duration)
    case unavailable(reason: String)
}

/// A workflow engine purchases are handed to: Argo Workflows, or an AMQP message for sites
/// without Argo. Calls block the calling thread (the dispatcher's own).
public protocol WorkflowEngine: Sendable {
    /// `argo` or `amqp`, as recorded on the purchase.
    var name: String { get }
    /// How often to read a handed-over workflow's status; nil when the engine reports it by itself.
    var statusPollInterval: Duration? { get }
    func submit(_ submission: WorkflowSubmission) -> WorkflowSubmitOutcome
    func status(ofWorkflow name: String) -> WorkflowStatusOutcome
}
