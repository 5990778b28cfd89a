import Foundation
import JSON

/// Limits applied to partner commands; the daemon's configuration may change them.
public struct CommandValidationRules: Sendable, Equatable {
    /// `|activePowerKw|` may not exceed this (kW).
    public var maximumActivePowerKw: Double
    /// Longest accepted messageId / correlationId / siteId (they are keys and headers).
    public var maximumIdentifierLength: Int

    public init(maximumActivePowerKw: Double = 100_000, maximumIdentifierLength: Int = 200) {
        self.maximumActivePowerKw = maximumActivePowerKw
        self.maximumIdentifierLength = maximumIdentifierLength
    }
}

/// Decodes and validates one command body (DESIGN §4):
/// `{"messageId", "correlationId", "plantId" or "siteId", "commandType", "payload", "validUntil"?}`.
///
/// The AMQP `message_id` / `correlation_id` properties stand in for missing body fields; a
/// missing correlationId falls back to the messageId. Every problem is a `CommandRejection`
/// (the message is dead-lettered). Whether the plant exists is checked later, against the
/// database; whether the command is relayed is `Command.disposition(now:)`.
public enum CommandDecoder {
    public static func decode(_ body: [UInt8], messageIDProperty: String? = nil, correlationIDProperty: String? = nil,
                              rules: CommandValidationRules = CommandValidationRules()) -> Result<Command, CommandRejection> {
        Result { try decodeOrThrow(body, messageIDProperty: messageIDProperty, correlationIDProperty: correlationIDProperty,
                                   rules: rules) }
            .mapError { $0 as? CommandRejection ?? CommandRejection(.malformed, String(describing: $0)) }
    }

    private static func decodeOrThrow(_ body: [UInt8], messageIDProperty: String?, correlationIDProperty: String?,
                                      rules: CommandValidationRules) throws -> Command {
        guard let document = JSONValue.parse(body) else {
            throw CommandRejection(.malformed, "the body is not valid JSON")
        }
        guard !document.containsNUL else { throw CommandRejection(.malformed, "the body contains U+0000") }
        guard let fields = document.objectValue else {
            throw CommandRejection(.malformed, "the body is \(document.typeName), not a JSON object")
        }
        let messageID = try identifier("messageId", in: fields, fallback: messageIDProperty, rules: rules)
        guard let messageID else {
            throw CommandRejection(.missingField, "missing messageId (neither in the body nor the message_id property)")
        }
        let correlationID = try identifier("correlationId", in: fields, fallback: correlationIDProperty, rules: rules) ?? messageID

        let plantID: UUID?
        switch fields["plantId"] {
        case nil, .null?: plantID = nil
        case .string(let text)?:
            guard let id = UUID(uuidString: text) else { throw CommandRejection(.invalidField, "plantId \"\(text)\" is not a UUID") }
            plantID = id
        case let other?: throw CommandRejection(.invalidField, "plantId is \(other.typeName), not a UUID string")
        }
        let siteID = try identifier("siteId", in: fields, fallback: nil, rules: rules)
        guard plantID != nil || siteID != nil else { throw CommandRejection(.missingField, "missing plantId or siteId") }

        guard let typeValue = fields["commandType"], typeValue != .null else {
            throw CommandRejection(.missingField, "missing commandType")
        }
        guard let typeText = typeValue.stringValue else {
            throw CommandRejection(.invalidField, "commandType is \(typeValue.typeName), not a string")
        }
        guard let commandType = CommandType(rawValue: typeText) else {
            let known = CommandType.allCases.map(\.rawValue).joined(separator: ", ")
            throw CommandRejection(.unknownCommandType, "unknown commandType \"\(typeText)\" (expected one of \(known))")
        }

        let payloadFields: [String: JSONValue]
        switch fields["payload"] {
        case nil, .null?:
            guard !commandType.isRelayable else { throw CommandRejection(.missingField, "missing payload") }
            payloadFields = [:]
        case .object(let members)?: payloadFields = members
        case let other?: throw CommandRejection(.invalidField, "payload is \(other.typeName), not an object")
        }
        let payload = try validatedPayload(commandType, payloadFields, rules: rules)
        let validUntil = try timestamp("validUntil", in: fields)
        return Command(messageID: messageID, correlationID: correlationID, plantID: plantID, siteID: siteID,
                       commandType: commandType, payload: payload,
                       payloadJSON: JSONValue.object(payloadFields).jsonText, validUntil: validUntil)
    }

    private static func validatedPayload(_ type: CommandType, _ fields: [String: JSONValue],
                                         rules: CommandValidationRules) throws -> Command.Payload {
        switch type {
        case .siteSetpoint:
            guard let value = fields["activePowerKw"], value != .null else {
                throw CommandRejection(.missingField, "missing payload.activePowerKw")
            }
            guard case .number(let power) = value else {
                throw CommandRejection(.invalidField, "payload.activePowerKw is \(value.typeName), not a number")
            }
            guard power.isFinite, abs(power) <= rules.maximumActivePowerKw else {
                throw CommandRejection(.outOfRange,
                                       "payload.activePowerKw \(power) is outside ±\(rules.maximumActivePowerKw) kW")
            }
            let validFrom = try timestamp("validFrom", in: fields, prefix: "payload.")
            let validTo = try timestamp("validTo", in: fields, prefix: "payload.")
            if let validFrom, let validTo, validFrom >= validTo {
                throw CommandRejection(.invalidField, "payload.validFrom must be before payload.validTo")
            }
            return .siteSetpoint(activePowerKw: power, validFrom: validFrom, validTo: validTo)
        case .modeChange:
            guard let value = fields["mode"], value != .null else { throw CommandRejection(.missingField, "missing payload.mode") }
            guard let text = value.stringValue, let mode = PlantMode(rawValue: text) else {
                let known = PlantMode.allCases.map(\.rawValue).joined(separator: ", ")
                throw CommandRejection(.invalidField, "payload.mode must be one of \(known)")
            }
            return .modeChange(mode)
        case .deviceCommand, .emergency:
            return .unvalidated
        }
    }

    /// A non-empty string field, else `fallback` (an AMQP property); nil when neither is there.
    private static func identifier(_ name: String, in fields: [String: JSONValue], fallback: String?,
                                   rules: CommandValidationRules) throws -> String? {
        let text: String?
        switch fields[name] {
        case nil, .null?: text = fallback
        case .string(let value)?: text = value
        case let other?: throw CommandRejection(.invalidField, "\(name) is \(other.typeName), not a string")
        }
        guard let text, !text.isEmpty else { return nil }
        guard text.utf8.count <= rules.maximumIdentifierLength else {
            throw CommandRejection(.invalidField, "\(name) is longer than \(rules.maximumIdentifierLength) bytes")
        }
        guard !containsControlCharacters(text) else {
            throw CommandRejection(.invalidField, "\(name) contains control characters")
        }
        return text
    }

    /// C0 controls and DEL: refused in identifiers, which end up in log lines, headers and keys.
    static func containsControlCharacters(_ text: String) -> Bool {
        text.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F }
    }

    static func timestamp(_ name: String, in fields: [String: JSONValue], prefix: String = "") throws -> TelemetryTimestamp? {
        switch fields[name] {
        case nil, .null?: return nil
        case .string(let text)?:
            guard let time = TelemetryTimestamp(rfc3339: text) else {
                throw CommandRejection(.invalidField, "\(prefix)\(name) \"\(text)\" is not an RFC 3339 time")
            }
            return time
        case let other?: throw CommandRejection(.invalidField, "\(prefix)\(name) is \(other.typeName), not an RFC 3339 string")
        }
    }
}
