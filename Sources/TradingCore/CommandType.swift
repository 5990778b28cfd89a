/// The command types a trading partner may send on `P.commands` (DESIGN §4).
public enum CommandType: String, CaseIterable, Sendable, Codable {
    case siteSetpoint = "SITE_SETPOINT"
    case modeChange = "MODE_CHANGE"
    case deviceCommand = "DEVICE_COMMAND"
    case emergency = "EMERGENCY"

    /// Only set-points and mode changes go to the ESM; the others are recorded and rejected,
    /// since partners may not drive devices directly or declare emergencies.
    public var isRelayable: Bool {
        switch self {
        case .siteSetpoint, .modeChange: true
        case .deviceCommand, .emergency: false
        }
    }

    /// The reason stored for a type that is never relayed.
    public var policyRejectionReason: String? {
        isRelayable ? nil : "\(rawValue) commands are not relayable by trading partners"
    }
}

/// The modes a MODE_CHANGE may ask for.
public enum PlantMode: String, CaseIterable, Sendable, Codable {
    case auto = "AUTO"
    case manual = "MANUAL"
    case charge = "CHARGE"
    case discharge = "DISCHARGE"
    case idle = "IDLE"
}
