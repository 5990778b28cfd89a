import JSON
/// An ESM acknowledgement from `P.command-acks`:
/// `{"correlationId", "status": "ACCEPTED"|"REJECTED"|"EXECUTED"|"FAILED", "executedAt"?, "reason"?}`.
public struct CommandAck: Sendable, Equatable {
    public let correlationID: String
    public let status: CommandAckStatus
    public let executedAt: TelemetryTimestamp?
    public let reason: String?

    public init(correlationID: String, status: CommandAckStatus, executedAt: TelemetryTimestamp?, reason: String?) {
        self.correlationID = correlationID
        self.status = status
        self.executedAt = executedAt
        self.reason = reason
    }

    /// Decodes an acknowledgement; the AMQP `correlation_id` property stands in for a missing
    /// body field. `TIMEOUT` is ours alone, never accepted from the ESM.
    public static func decode(_ body: [UInt8], correlationIDProperty: String? = nil,
                              maximumIdentifierLength: Int = 200) -> Result<CommandAck, CommandRejection> {
        guard let document = JSONValue.parse(body) else {
            return .failure(CommandRejection(.malformed, "the body is not valid JSON"))
        }
        guard !document.containsNUL else { return .failure(CommandRejection(.malformed, "the body contains U+0000")) }
        guard let fields = document.objectValue else {
            return .failure(CommandRejection(.malformed, "the body is \(document.typeName), not a JSON object"))
        }
        let correlationID: String
        switch fields["correlationId"] {
        case .string(let text)? where !text.isEmpty: correlationID = text
        case nil, .null?, .string?:
            guard let fallback = correlationIDProperty, !fallback.isEmpty else {
                return .failure(CommandRejection(.missingField, "missing correlationId"))
            }
            correlationID = fallback
        case let other?:
            return .failure(CommandRejection(.invalidField, "correlationId is \(other.typeName), not a string"))
        }
        guard correlationID.utf8.count <= maximumIdentifierLength else {
            return .failure(CommandRejection(.invalidField, "correlationId is longer than \(maximumIdentifierLength) bytes"))
        }
        guard !CommandDecoder.containsControlCharacters(correlationID) else {
            return .failure(CommandRejection(.invalidField, "correlationId contains control characters"))
        }
        guard let statusValue = fields["status"], statusValue != .null else {
            return .failure(CommandRejection(.missingField, "missing status"))
        }
        guard let text = statusValue.stringValue, let status = CommandAckStatus(rawValue: text), status != .timeout else {
            return .failure(CommandRejection(.invalidField, "status must be one of ACCEPTED, REJECTED, EXECUTED, FAILED"))
        }
        let executedAt: TelemetryTimestamp?
        do {
            executedAt = try CommandDecoder.timestamp("executedAt", in: fields)
        } catch let rejection as CommandRejection {
            return .failure(rejection)
        } catch {
            return .failure(CommandRejection(.invalidField, "executedAt is not an RFC 3339 time"))
        }
        let reason: String?
        switch fields["reason"] {
        case nil, .null?: reason = nil
        case .string(let text)?: reason = text.isEmpty ? nil : String(text.prefix(2000))
        case let other?: return .failure(CommandRejection(.invalidField, "reason is \(other.typeName), not a string"))
        }
        return .success(CommandAck(correlationID: correlationID, status: status, executedAt: executedAt, reason: reason))
    }
}
