import Foundation

/// One sale of a user's history: the key `(nit, fecha, emc)` and its amount.
public struct SalesHistoryItem: Sendable, Equatable {
    /// `nit`, normalised (`NIT.normalized`).
    public let nit: String
    /// `monto`, exact.
    public let amount: Decimal
    /// `fecha`, the instant of the sale.
    public let date: Date
    /// `emc`, trimmed, inner runs of white space made one space, in Unicode NFC.
    public let company: String

    public init(nit: String, amount: Decimal, date: Date, company: String) {
        self.nit = nit
        self.amount = amount
        self.date = date
        self.company = company
    }
}

/// A valid `POST /update-user-sales-history` body (seed 002).
public struct SalesHistoryUpdate: Sendable, Equatable {
    public let userID: UUID
    /// Empty when `history` was absent, null or `[]`: nothing to change.
    public let items: [SalesHistoryItem]

    public init(userID: UUID, items: [SalesHistoryItem]) {
        self.userID = userID
        self.items = items
    }
}

/// Limits the seed leaves open (docs/CUSTOMER-DATA.md says why each is what it is).
public struct SalesHistoryRules: Sendable {
    public var maximumItems = 1000
    public var maximumFractionDigits = 4
    public var maximumIntegerDigits = 15
    public var maximumCompanyLength = 200
    /// How far past `now` a `fecha` may lie (clock skew, zone mistakes); later is refused.
    public var futureTolerance: TimeInterval = 86_400
    /// No sale before 1900-01-01 (in the zone): catches two-digit years and swapped fields.
    public var earliestYear = 1900
    /// How many problems one error message lists.
    public var maximumReportedProblems = 10

    public init() {}
}
