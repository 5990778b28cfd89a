import ESM
import Foundation
import TradingCore

/// One command as the relay hands it to the ESM (`POST {esmApiUrl}/plants/{esmPlantID}/commands`).
public struct ESMCommandRequest: Sendable, Equatable {
    /// The ESM's id of the plant (path parameter).
    public let esmPlantID: String
    /// The `Idempotency-Key` (the command's own id, unique across organisations), so a repeated
    /// call executes once.
    public let idempotencyKey: String
    /// The partner's messageId (unique only within its organisation), sent in the body.
    public let messageID: String
    /// Echoed by the ESM in its acknowledgements on `P.command-acks`.
    public let correlationID: String
    public let commandType: CommandType
    /// The payload object as JSON text.
    public let payloadJSON: String
    public let validUntil: Date?

    public init(esmPlantID: String, idempotencyKey: String, messageID: String, correlationID: String, commandType: CommandType,
                payloadJSON: String, validUntil: Date?) {
        self.esmPlantID = esmPlantID
        self.idempotencyKey = idempotencyKey
        self.messageID = messageID
        self.correlationID = correlationID
        self.commandType = commandType
        self.payloadJSON = payloadJSON
        self.validUntil = validUntil
    }
}

/// How the ESM answered one command.
public enum ESMCommandOutcome: Sendable, Equatable {
    /// 202: the ESM took it (or had already taken this idempotency key).
    case accepted
    /// A 4xx: terminal, recorded as REJECTED with the ESM's reason.
    case rejected(status: Int, reason: String)
    /// Unreachable, timed out, 5xx, or 409 (a request with the same key is still in progress at
    /// the ESM): retried with backoff. `kind` is how the ESM client classified the failure.
    case unavailable(kind: ESMError.Kind, reason: String)
}

/// Sends commands to one organisation's ESM. Blocking: relay workers call it on their own threads.
public protocol ESMCommandSending: Sendable {
    /// The longest one `sendCommand` can take, its retries included: the relay keeps its claim on
    /// the command at least this long.
    var callDeadline: Duration { get }
    func sendCommand(_ request: ESMCommandRequest) -> ESMCommandOutcome
}

/// Where the relay gets an organisation's ESM client (built from its trading configuration).
public protocol ESMClientProvider: Sendable {
    /// - Throws: when the organisation has no usable ESM configuration; the relay retries later.
    func client(for organizationID: UUID) throws -> any ESMCommandSending
}
