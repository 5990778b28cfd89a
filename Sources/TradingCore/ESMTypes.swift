/// The ESM contract's data (DESIGN §7), shared by the ESM client, its simulator and the trading
/// layer. Field names are the wire names.

/// One block of a plant's daily battery schedule: `from`/`to` are `"HH:MM"` (`to` may be
/// `"24:00"`); powers in kW, state of charge in percent.
public struct ESMTimeConfig: Codable, Sendable, Hashable {
    public var from: String
    public var to: String
    public var pBatMin: Double
    public var pBatMax: Double
    public var socMin: Double
    public var socMax: Double

    public init(from: String, to: String, pBatMin: Double, pBatMax: Double, socMin: Double, socMax: Double) {
        self.from = from
        self.to = to
        self.pBatMin = pBatMin
        self.pBatMax = pBatMax
        self.socMin = socMin
        self.socMax = socMax
    }
}

/// A plant as the ESM lists it (`GET /plants`); `state` is the ESM's link state (e.g. `ONLINE`).
public struct ESMPlant: Codable, Sendable, Hashable {
    public var id: String
    public var name: String
    public var state: String

    public init(id: String, name: String, state: String) {
        self.id = id
        self.name = name
        self.state = state
    }
}

/// A plant's configuration as the ESM holds it (`GET /plants/{id}/config`).
public struct ESMPlantConfig: Codable, Sendable, Hashable {
    public var plantId: String
    public var configEnabled: Bool
    public var esiState: String
    public var timeConfigs: [ESMTimeConfig]
    /// Incremented by the ESM on every applied change.
    public var version: Int

    public init(plantId: String, configEnabled: Bool, esiState: String, timeConfigs: [ESMTimeConfig], version: Int) {
        self.plantId = plantId
        self.configEnabled = configEnabled
        self.esiState = esiState
        self.timeConfigs = timeConfigs
        self.version = version
    }
}

/// The ESM's answer to `POST /plants/{id}/config`. `isError` with `isTerminal` means the request
/// can never succeed as sent (e.g. `resultCode` `INVALID_CONFIG`); `isError` without it means the
/// ESM may accept it later.
public struct ESMConfigResult: Codable, Sendable, Hashable {
    public var requestCode: String
    public var resultCode: String
    public var isError: Bool
    public var isTerminal: Bool
    public var message: String

    public init(requestCode: String, resultCode: String, isError: Bool, isTerminal: Bool, message: String) {
        self.requestCode = requestCode
        self.resultCode = resultCode
        self.isError = isError
        self.isTerminal = isTerminal
        self.message = message
    }
}

/// A command relayed to the ESM (`POST /plants/{id}/commands`, sent with
/// `Idempotency-Key: <idempotencyKey>`). `payloadJSON` is the command's `payload` as JSON text (an
/// object), passed through verbatim; `validUntil` is RFC 3339 text when present.
public struct ESMCommand: Sendable, Hashable {
    /// Unique across organisations (the relay uses the command's own id); the partner's
    /// `messageId` is unique only within its organisation.
    public var idempotencyKey: String
    public var messageId: String
    public var correlationId: String
    public var commandType: String
    public var payloadJSON: [UInt8]
    public var validUntil: String?

    /// - Parameter idempotencyKey: defaults to `messageId` (tools and tests with one organisation).
    public init(idempotencyKey: String? = nil, messageId: String, correlationId: String, commandType: String,
                payloadJSON: [UInt8], validUntil: String? = nil) {
        self.idempotencyKey = idempotencyKey ?? messageId
        self.messageId = messageId
        self.correlationId = correlationId
        self.commandType = commandType
        self.payloadJSON = payloadJSON
        self.validUntil = validUntil
    }
}

/// An acknowledgement the ESM publishes to `P.command-acks` (DESIGN §4).
public struct ESMCommandAck: Codable, Sendable, Hashable {
    public enum Status: String, Codable, Sendable, Hashable {
        case accepted = "ACCEPTED", rejected = "REJECTED", executed = "EXECUTED", failed = "FAILED"
    }

    public var correlationId: String
    public var status: Status
    /// RFC 3339, when the command ran.
    public var executedAt: String?
    public var reason: String?

    public init(correlationId: String, status: Status, executedAt: String? = nil, reason: String? = nil) {
        self.correlationId = correlationId
        self.status = status
        self.executedAt = executedAt
        self.reason = reason
    }
}
