/// One validated row of a purchase schedule.
public struct PurchaseRow: Sendable, Equatable {
    /// The wall-clock label as the client sent it.
    public let label: LocalDateTime
    /// 1, or 2 for the second appearance of a label in a fall-back repeated hour.
    public let occurrence: Int
    /// The period's start, seconds since 1970-01-01T00:00:00Z (the label's instant, or one
    /// interval before it when labels mark period ends).
    public let periodStart: Int64
    public let quantity: PurchaseQuantity

    public init(label: LocalDateTime, occurrence: Int, periodStart: Int64, quantity: PurchaseQuantity) {
        self.label = label
        self.occurrence = occurrence
        self.periodStart = periodStart
        self.quantity = quantity
    }
}

/// A submission that passed every check, rows in the order they were sent.
public struct PurchaseSubmission: Sendable, Equatable {
    public let rows: [PurchaseRow]

    public init(rows: [PurchaseRow]) {
        self.rows = rows
    }
}

/// A refused submission: the first problem found, worded for the client (`PurchaseMessages`).
public struct PurchaseValidationError: Error, Equatable, Sendable, CustomStringConvertible {
    public let message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}
