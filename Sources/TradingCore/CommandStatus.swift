/// Where a command stands in the relay (`command_log.status`).
///
/// `PENDING` (recorded, waiting for or between relay attempts) → `RELAYED` (the ESM answered
/// 202), or a terminal `REJECTED` (a type partners may not send, or a 4xx from the ESM, with the
/// reason), `EXPIRED` (`validUntil` passed before the ESM took it) or `FAILED` (the relay gave up
/// after its maximum relay window on a command without `validUntil`).
public enum CommandStatus: String, CaseIterable, Sendable, Codable {
    case pending = "PENDING"
    case relayed = "RELAYED"
    case rejected = "REJECTED"
    case expired = "EXPIRED"
    case failed = "FAILED"

    public var isTerminal: Bool { self != .pending }
}

/// What the ESM reported about a relayed command (`command_log.ack_status`), plus `TIMEOUT` when
/// no acknowledgement came within the configured time.
public enum CommandAckStatus: String, CaseIterable, Sendable, Codable {
    case accepted = "ACCEPTED"
    case rejected = "REJECTED"
    case executed = "EXECUTED"
    case failed = "FAILED"
    case timeout = "TIMEOUT"

    /// A final outcome: a later `ACCEPTED` (acks may arrive out of order) must not replace it.
    public var isFinal: Bool {
        switch self {
        case .executed, .rejected, .failed: true
        case .accepted, .timeout: false
        }
    }
}
