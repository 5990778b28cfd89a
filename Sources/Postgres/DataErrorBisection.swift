/// Finds the parts of a batch that PostgreSQL refuses for their data (`PostgresError.isDataError`),
/// so that only those are dead-lettered and the rest is stored.
///
/// The batch is written whole; on a data error it is split in halves, and each half is written
/// (or split) in turn until each refused part is alone. Any other failure propagates at once:
/// it is not the data's fault, and the caller retries the whole batch later.
///
/// When both halves of a split fail with the same SQLSTATE, the refusal is unlikely to be one
/// message's doing (a constraint or trigger that every row now violates, say, after a faulty
/// migration): bisecting would dead-letter the whole batch. With `stopOnCommonRefusal`, the
/// search stops and throws `CommonRefusal`; the caller retries the batch with backoff and, if the
/// refusal persists, searches again with `stopOnCommonRefusal: false` (two messages with the same
/// defect in one batch are then still found, and nothing else is held back for long).
public enum DataErrorBisection {
    /// Both halves of a split failed with this error's SQLSTATE.
    public struct CommonRefusal: Error, CustomStringConvertible {
        public let error: PostgresError
        /// How many items the failing batch held.
        public let count: Int
        public var description: String {
            "both halves of a batch of \(count) were refused with SQLSTATE \(error.sqlState ?? "-"): \(error.message)"
        }
    }

    /// - Parameters:
    ///   - range: the items to write, by index.
    ///   - attempt: writes the items of a range (one statement or transaction); throws on failure.
    ///   - onSplit: called before each split (metrics).
    /// - Returns: each refused single item's index with the error that refused it, in order.
    /// - Throws: whatever `attempt` throws that is not a data error, or `CommonRefusal`.
    public static func refused(in range: Range<Int>, stopOnCommonRefusal: Bool, onSplit: () -> Void = {},
                               attempt: (Range<Int>) throws -> Void) throws -> [(index: Int, error: PostgresError)] {
        guard !range.isEmpty else { return [] }
        do {
            try attempt(range)
            return []
        } catch let error as PostgresError where error.isDataError {
            return try split(range, refusedWith: error, stopOnCommonRefusal: stopOnCommonRefusal, onSplit: onSplit, attempt: attempt)
        }
    }

    /// `range` failed with `error`: find its refused items.
    private static func split(_ range: Range<Int>, refusedWith error: PostgresError, stopOnCommonRefusal: Bool,
                              onSplit: () -> Void, attempt: (Range<Int>) throws -> Void) throws -> [(index: Int, error: PostgresError)] {
        guard range.count > 1 else { return [(range.lowerBound, error)] }
        onSplit()
        let middle = range.lowerBound + range.count / 2
        let halves = [range.lowerBound..<middle, middle..<range.upperBound]
        var failures: [PostgresError?] = []
        for half in halves {
            do {
                try attempt(half)
                failures.append(nil)
            } catch let refusal as PostgresError where refusal.isDataError {
                failures.append(refusal)
            }
        }
        if stopOnCommonRefusal, let left = failures[0], let right = failures[1], left.sqlState == right.sqlState {
            throw CommonRefusal(error: left, count: range.count)
        }
        var refused: [(index: Int, error: PostgresError)] = []
        for (half, failure) in zip(halves, failures) {
            guard let failure else { continue }
            refused += try split(half, refusedWith: failure, stopOnCommonRefusal: stopOnCommonRefusal, onSplit: onSplit, attempt: attempt)
        }
        return refused
    }
}
