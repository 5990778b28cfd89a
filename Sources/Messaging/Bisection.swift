/// Finds the items of a batch that a store refuses for good: the one bisection of refused batches
/// (ingest deliveries, relay commands and acks). A batch the store refuses permanently is split in
/// halves, each tried again, down to the single item that fails alone; the rest is stored. Which
/// failures split and which are thrown (to retry the whole batch later) is the caller's decision
/// (`splits`), since only it knows its store.
public enum Bisection {
    /// Stores `range` with `attempt`; on a failure `splits` accepts, splits it (calling `onSplit`)
    /// until a single index remains, which `refuse` turns into an outcome. Other failures are thrown.
    public static func store<Outcome>(
        _ range: Range<Int>,
        attempt: (Range<Int>) throws -> Outcome,
        splits: (any Error) -> Bool,
        refuse: (Int, any Error) -> Outcome,
        combine: (Outcome, Outcome) -> Outcome,
        onSplit: () -> Void = {}
    ) throws -> Outcome {
        do {
            return try attempt(range)
        } catch where splits(error) {
            if range.count == 1 { return refuse(range.lowerBound, error) }
            onSplit()
            let middle = range.lowerBound + range.count / 2
            let left = try store(range.lowerBound..<middle, attempt: attempt, splits: splits, refuse: refuse,
                                 combine: combine, onSplit: onSplit)
            let right = try store(middle..<range.upperBound, attempt: attempt, splits: splits, refuse: refuse,
                                  combine: combine, onSplit: onSplit)
            return combine(left, right)
        }
    }
}
