import ESM
import TradingCore

/// The real ESM client as the relay's sender: 202 → accepted; a 4xx (`clientError`) other than
/// 409 → rejected with the ESM's reason; a 409 means the ESM is still working on a request with
/// the same idempotency key (an earlier attempt whose answer was lost), so the command may well
/// execute and is retried, never marked REJECTED; anything else (unreachable, timeout, 5xx,
/// refused credentials, a bad answer) → unavailable, retried with backoff until the command
/// expires or fails, since neither the command nor the partner is at fault.
extension ESMClient: ESMCommandSending {
    public var callDeadline: Duration { configuration.callDeadline }

    public func sendCommand(_ request: ESMCommandRequest) -> ESMCommandOutcome {
        let command = ESMCommand(
            idempotencyKey: request.idempotencyKey, messageId: request.messageID, correlationId: request.correlationID,
            commandType: request.commandType.rawValue,
            payloadJSON: Array(request.payloadJSON.utf8),
            validUntil: request.validUntil.map { TelemetryTimestamp(microsecondsSinceEpoch: Int64(($0.timeIntervalSince1970 * 1e6).rounded())).rfc3339 })
        do {
            try sendCommand(plantID: request.esmPlantID, command: command)
            return .accepted
        } catch {
            if error.kind == .clientError, error.status != 409 {
                return .rejected(status: error.status ?? 400, reason: error.esmReason ?? error.message)
            }
            return .unavailable(kind: error.kind, reason: error.description)
        }
    }
}
