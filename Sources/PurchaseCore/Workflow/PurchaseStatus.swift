/// Where a purchase is on its way through the workflow engine, as `GET .../purchases/{id}` shows
/// it: `pending` (stored, not yet handed over) → `submitted` (the engine has it) → `running` →
/// `completed` or `failed`.
public enum PurchaseStatus: String, Sendable, CaseIterable, Comparable {
    case pending, submitted, running, completed, failed

    public var isTerminal: Bool { self == .completed || self == .failed }

    /// Position on the way; a status update never moves a purchase back (updates may arrive out
    /// of order, and a poll may lag a message).
    var rank: Int {
        switch self {
        case .pending: 0
        case .submitted: 1
        case .running: 2
        case .completed, .failed: 3
        }
    }

    public static func < (lhs: PurchaseStatus, rhs: PurchaseStatus) -> Bool { lhs.rank < rhs.rank }

    /// Whether a purchase in this status may take `next`: forward only, and never out of a terminal one.
    public func mayAdvance(to next: PurchaseStatus) -> Bool {
        !isTerminal && next.rank > rank
    }
}
