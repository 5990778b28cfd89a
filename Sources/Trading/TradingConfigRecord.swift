import Foundation

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
