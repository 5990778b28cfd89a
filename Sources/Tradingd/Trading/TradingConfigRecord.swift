import Foundation
import HTTPServer

/// Whether an organisation's AMQP topology, partner user and consumers exist.
public enum TradingStatus: String, Sendable {
    case enabled = "ENABLED"
    case disabled = "DISABLED"
}

/// One row of `trading_configs`. Secrets stay sealed here; only `TradingService` opens them, and
/// only to use them.
public struct TradingConfigRecord: Sendable, Equatable {
    public var id: UUID
    public var organizationID: UUID
    public var esmAPIURL: String?
    public var esmClientID: String?
    public var esmClientSecretSealed: String?
    public var queuePrefix: String
    public var status: TradingStatus
    public var amqpPasswordSealed: String?
    public var lastSyncAt: Date?
    public var lastSyncError: String?
    public var createdAt: Date
    public var updatedAt: Date

    public var hasESMCredentials: Bool { esmClientID != nil && esmClientSecretSealed != nil }
    /// Everything enable needs: the URL and both credentials.
    public var isComplete: Bool { esmAPIURL != nil && hasESMCredentials }

    /// The seed's config object: never the secret, only `hasEsmCredentials`.
    public var json: JSONValue {
        [
            "createdAt": TradingJSON.timestamp(createdAt),
            "esmApiUrl": esmAPIURL.map(JSONValue.string) ?? .null,
            "esmClientId": esmClientID.map(JSONValue.string) ?? .null,
            "hasEsmCredentials": .bool(hasESMCredentials),
            "id": .string(id.uuidString.lowercased()),
            "lastSyncAt": TradingJSON.timestamp(lastSyncAt),
            "lastSyncError": lastSyncError.map(JSONValue.string) ?? .null,
            "organizationId": .string(organizationID.uuidString.lowercased()),
            "queuePrefix": .string(queuePrefix),
            "status": .string(status.rawValue),
            "updatedAt": TradingJSON.timestamp(updatedAt),
        ]
    }

    /// The sealing context of the ESM client secret: a sealed value copied into another
    /// organisation's row does not open there.
    public static func esmSecretContext(_ organizationID: UUID) -> String {
        "org:\(organizationID.uuidString.lowercased())/esmClientSecret"
    }

    /// The sealing context of the partner's RabbitMQ password.
    public static func amqpPasswordContext(_ organizationID: UUID) -> String {
        "org:\(organizationID.uuidString.lowercased())/amqpPartnerPassword"
    }
}

/// JSON helpers shared by the trading responses.
public enum TradingJSON {
    private static let format = Date.ISO8601FormatStyle(includingFractionalSeconds: true)

    /// RFC 3339 in UTC with milliseconds (`2026-01-15T11:00:00.125Z`), or null.
    public static func timestamp(_ date: Date?) -> JSONValue {
        guard let date else { return .null }
        return .string(date.formatted(format))
    }

    public static func uuid(_ id: UUID?) -> JSONValue {
        id.map { .string($0.uuidString.lowercased()) } ?? .null
    }

    public static func string(_ text: String?) -> JSONValue {
        text.map(JSONValue.string) ?? .null
    }
}
