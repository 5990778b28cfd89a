/// An Argo Workflow's `status.phase` and the purchase status it means.
public enum WorkflowPhase: Sendable, Equatable {
    /// Empty (the controller has not picked the workflow up yet) or `Pending`.
    case pending
    case running
    case succeeded
    /// `Failed` or `Error`, with the workflow's `status.message`.
    case failed(message: String)

    /// Reads Argo's phase strings; nil for a phase this version does not know.
    public init?(argoPhase: String, message: String) {
        switch argoPhase {
        case "", "Pending": self = .pending
        case "Running": self = .running
        case "Succeeded": self = .succeeded
        case "Failed", "Error":
            self = .failed(message: message.isEmpty ? "workflow ended in phase \(argoPhase)" : message)
        default: return nil
        }
    }

    public var purchaseStatus: PurchaseStatus {
        switch self {
        case .pending: .submitted
        case .running: .running
        case .succeeded: .completed
        case .failed: .failed
        }
    }

    public var isTerminal: Bool { purchaseStatus.isTerminal }
}
