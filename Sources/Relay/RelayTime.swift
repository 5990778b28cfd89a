import Foundation
import TradingCore

extension TelemetryTimestamp {
    /// The same instant as a Foundation `Date` (for `timestamptz` parameters).
    var foundationDate: Date { Date(timeIntervalSince1970: Double(microsecondsSinceEpoch) / 1_000_000) }
}

extension Duration {
    /// The duration in (fractional) seconds.
    var secondsValue: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
