/// One validated block of a plant's daily battery schedule (DESIGN §6): `[from, to)` in minutes
/// of the day, powers in kW, state of charge in percent.
public struct TimeConfigBlock: Sendable, Hashable {
    /// `"HH:MM"`, 00:00–23:59.
    public var from: String
    /// `"HH:MM"`, 00:01–24:00.
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

    public var fromMinute: Int { TimeConfigValidation.minuteOfDay(from, allowEndOfDay: false) ?? 0 }
    public var toMinute: Int { TimeConfigValidation.minuteOfDay(to, allowEndOfDay: true) ?? 0 }
}

/// A field value of a block as it arrived, before validation (the HTTP layer maps its JSON to
/// this, so that type errors are reported with the other violations).
public enum TimeConfigInput: Sendable, Hashable {
    case string(String)
    case number(Double)
    /// Anything else (null, bool, array, object), named for the message.
    case other(typeName: String)
}

/// One broken rule: the block's position (nil for the list itself), the field, and why.
public struct TimeConfigViolation: Sendable, Hashable, CustomStringConvertible {
    public var index: Int?
    public var field: String
    public var message: String

    public init(index: Int?, field: String, message: String) {
        self.index = index
        self.field = field
        self.message = message
    }

    public var description: String { index.map { "block \($0) \(field): \(message)" } ?? "\(field): \(message)" }
}
