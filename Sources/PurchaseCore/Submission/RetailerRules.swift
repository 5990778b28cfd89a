/// What a retailer's market accepts: its time zone and interval, what a row's label means, and
/// the range of quantities. Configured per retailer (`tradingd retailer create`).
public struct RetailerRules: Sendable, Equatable {
    /// Whether a row's `datetime` is the start or the end of its period. The seed's example starts
    /// at 00:15, which reads naturally as the end of 00:00-00:15; markets differ, so it is a setting.
    public enum LabelMarks: String, Sendable, CaseIterable {
        case periodStart = "start"
        case periodEnd = "end"
    }

    /// The retailer's identifier as clients send it (`retailer_id`), for messages.
    public var retailerID: String
    public var timeZone: MarketTimeZone
    /// Minutes per market period; divides 60 (15 for quarter-hour markets).
    public var intervalMinutes: Int
    public var labelMarks: LabelMarks
    /// Negative quantities (sales back to the market) are accepted only when true.
    public var allowsSales: Bool
    /// The largest magnitude accepted per row.
    public var maximumQuantity: PurchaseQuantity

    public static let allowedIntervals = [1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30, 60]

    public init(retailerID: String, timeZone: MarketTimeZone, intervalMinutes: Int = 15, labelMarks: LabelMarks = .periodStart,
                allowsSales: Bool = false, maximumQuantity: PurchaseQuantity = PurchaseQuantity(kilowatts: 100_000_000)) {
        precondition(Self.allowedIntervals.contains(intervalMinutes), "interval must divide 60 minutes")
        self.retailerID = retailerID
        self.timeZone = timeZone
        self.intervalMinutes = intervalMinutes
        self.labelMarks = labelMarks
        self.allowsSales = allowsSales
        self.maximumQuantity = maximumQuantity
    }

    /// Seconds per period.
    public var intervalSeconds: Int64 { Int64(intervalMinutes * 60) }
}
