import Foundation
import TradingCore

extension TelemetryTimestamp {
    /// The same instant as a Foundation `Date` (for `timestamptz` parameters).
    var foundationDate: Date { Date(timeIntervalSince1970: Double(microsecondsSinceEpoch) / 1_000_000) }
}
