/// Bookkeeping of publisher confirms on one channel: which sequence numbers are still
/// unconfirmed, and which were nacked. Pure state; the channel feeds it basic.ack/basic.nack.
///
/// Sequence numbers start at 1 after confirm.select and grow by one per publish, so the
/// outstanding set is `lowestUnsettled ..< nextSequenceNumber` minus those settled out of order.
public struct ConfirmTracker: Sendable, Equatable {
    public private(set) var nextSequenceNumber: UInt64 = 1
    private var lowestUnsettled: UInt64 = 1
    private var settledOutOfOrder: Set<UInt64> = []
    /// Sequence numbers nacked since the last `takeFailures()`.
    public private(set) var nacked: [UInt64] = []

    public init() {}

    public var outstandingCount: Int {
        Int(nextSequenceNumber - lowestUnsettled) - settledOutOfOrder.count
    }

    /// Records a publish and returns its sequence number.
    public mutating func recordPublish() -> UInt64 {
        defer { nextSequenceNumber += 1 }
        return nextSequenceNumber
    }

    /// Applies a basic.ack (`isAck`) or basic.nack for `tag`, or for every outstanding sequence
    /// number up to `tag` when `multiple`. Tags outside the outstanding range are ignored.
    public mutating func settle(_ tag: UInt64, multiple: Bool, isAck: Bool) {
        guard tag < nextSequenceNumber else { return }
        if multiple {
            guard tag >= lowestUnsettled else { return }
            var current = lowestUnsettled
            while current <= tag {
                if settledOutOfOrder.remove(current) == nil, !isAck { nacked.append(current) }
                current += 1
            }
            lowestUnsettled = tag + 1
        } else if tag == lowestUnsettled {
            if !isAck { nacked.append(tag) }
            lowestUnsettled += 1
            while settledOutOfOrder.remove(lowestUnsettled) != nil { lowestUnsettled += 1 }
        } else if tag > lowestUnsettled, !settledOutOfOrder.contains(tag) {
            if !isAck { nacked.append(tag) }
            settledOutOfOrder.insert(tag)
        }
    }

    /// Returns and clears the nacked sequence numbers.
    public mutating func takeFailures() -> [UInt64] {
        defer { nacked.removeAll() }
        return nacked
    }
}
