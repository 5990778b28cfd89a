import Foundation

/// A partner command from `P.commands`, decoded and validated (see `CommandDecoder`).
public struct Command: Sendable, Equatable {
    /// What a SITE_SETPOINT or MODE_CHANGE asks for; the other types keep their payload as is.
    public enum Payload: Sendable, Equatable {
        case siteSetpoint(activePowerKw: Double, validFrom: TelemetryTimestamp?, validTo: TelemetryTimestamp?)
        case modeChange(PlantMode)
        case unvalidated
    }

    /// The partner's id of the message: with the organisation, the command's identity (a
    /// redelivery or republish carries the same one) and the ESM idempotency key.
    public let messageID: String
    /// Matches the ESM's acknowledgements; the messageId when the partner sent none.
    public let correlationID: String
    /// Our plant id (`plantId`), when the partner named the plant that way.
    public let plantID: UUID?
    /// The ESM's id of the plant (`siteId`), when the partner named the plant that way.
    public let siteID: String?
    public let commandType: CommandType
    public let payload: Payload
    /// The payload object as compact JSON with sorted keys (`{}` when absent).
    public let payloadJSON: String
    public let validUntil: TelemetryTimestamp?

    public init(messageID: String, correlationID: String, plantID: UUID?, siteID: String?, commandType: CommandType,
                payload: Payload, payloadJSON: String, validUntil: TelemetryTimestamp?) {
        self.messageID = messageID
        self.correlationID = correlationID
        self.plantID = plantID
        self.siteID = siteID
        self.commandType = commandType
        self.payload = payload
        self.payloadJSON = payloadJSON
        self.validUntil = validUntil
    }

    /// What the relay does with a valid command received at `now`.
    public enum Disposition: Sendable, Equatable {
        /// Record as PENDING and relay to the ESM.
        case relay
        /// Record as REJECTED with the reason; never relayed.
        case reject(reason: String)
        /// Record as EXPIRED: `validUntil` had already passed on arrival.
        case expire(reason: String)
    }

    public func disposition(now: TelemetryTimestamp) -> Disposition {
        if let reason = commandType.policyRejectionReason { return .reject(reason: reason) }
        if let validUntil, validUntil <= now {
            return .expire(reason: "validUntil \(validUntil.rfc3339) had passed when the command arrived")
        }
        return .relay
    }
}
