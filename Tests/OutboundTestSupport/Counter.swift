import Synchronization

/// A count shared between a test and the server threads it starts.
public final class Counter: Sendable {
    private let count = Mutex(0)

    public init() {}

    public func increment() { count.withLock { $0 += 1 } }

    public var value: Int { count.withLock { $0 } }
}
