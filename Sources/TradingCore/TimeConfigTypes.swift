/// Minutes of the day of a block's bounds (`ESMTimeConfig` is the one schedule-block type, on the
/// wire and after validation; DESIGN §6).
extension ESMTimeConfig {
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
