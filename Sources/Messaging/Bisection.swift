/// Finds the items of a batch that a store refuses for good: the one bisection of refused batches
/// (ingest deliveries, relay commands and acks). A batch the store refuses permanently is split in
/// halves, each tried again, down to the single item that fails alone; the rest is stored. Which
/// failures split and which are thrown (to retry the whole batch later) is the caller's decision
/// (`splits`), since only it knows its store.
///
/// When both halves of a split fail in the same way (`sameRefusal`, e.g. the same SQLSTATE), the
/// refusal is unlikely to be one item's doing (a constraint every row now violates after a faulty
/// migration, say): bisecting on would refuse the whole batch item by item. The search then stops
/// and throws `CommonRefusal`; the caller retries the batch later and, if the refusal persists,
/// searches again without `sameRefusal`, so that two items with the same defect are still found.
public enum Bisection {
    /// Both halves of a split of `count` items were refused alike; `error` is the left half's.
    public struct CommonRefusal: Error, CustomStringConvertible {
        public let error: any Error
        public let count: Int
        public var description: String { "both halves of a batch of \(count) were refused alike: \(error)" }
    }

    /// Stores `range` with `attempt`; on a failure `splits` accepts, splits it (calling `onSplit`)
    /// until a single index remains, which `refuse` turns into an outcome. Other failures are
    /// thrown, and so is `CommonRefusal` when both halves of a split fail as `sameRefusal` says.
    public static func store<Outcome>(
        _ range: Range<Int>,
        attempt: (Range<Int>) throws -> Outcome,
        splits: (any Error) -> Bool,
        refuse: (Int, any Error) -> Outcome,
        combine: (Outcome, Outcome) -> Outcome,
        onSplit: () -> Void = {},
        sameRefusal: ((any Error, any Error) -> Bool)? = nil
    ) throws -> Outcome {
        do {
            return try attempt(range)
        } catch where splits(error) {
            return try search(range, refusedWith: error, attempt: attempt, splits: splits, refuse: refuse, combine: combine,
                              onSplit: onSplit, sameRefusal: sameRefusal)
        }
    }

    /// `range` was refused with `error`: tries both halves, then searches each refused one.
    private static func search<Outcome>(
        _ range: Range<Int>, refusedWith error: any Error,
        attempt: (Range<Int>) throws -> Outcome, splits: (any Error) -> Bool, refuse: (Int, any Error) -> Outcome,
        combine: (Outcome, Outcome) -> Outcome, onSplit: () -> Void, sameRefusal: ((any Error, any Error) -> Bool)?
    ) throws -> Outcome {
        if range.count == 1 { return refuse(range.lowerBound, error) }
        onSplit()
        let middle = range.lowerBound + range.count / 2
        let halves = [range.lowerBound..<middle, middle..<range.upperBound]
        let tried: [Result<Outcome, any Error>] = try halves.map { half in
            do {
                return .success(try attempt(half))
            } catch where splits(error) {
                return .failure(error)
            }
        }
        if let sameRefusal, case .failure(let left) = tried[0], case .failure(let right) = tried[1], sameRefusal(left, right) {
            throw CommonRefusal(error: left, count: range.count)
        }
        let outcomes = try zip(halves, tried).map { half, result in
            switch result {
            case .success(let outcome): return outcome
            case .failure(let refusal):
                return try search(half, refusedWith: refusal, attempt: attempt, splits: splits, refuse: refuse, combine: combine,
                                  onSplit: onSplit, sameRefusal: sameRefusal)
            }
        }
        return combine(outcomes[0], outcomes[1])
    }
}
