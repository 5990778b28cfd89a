import Dispatch
import Foundation
import Synchronization
import Timekeeping

/// A named thread that runs one loop until asked to stop: the one way tradingd's consumers,
/// writers, relay workers and periodic jobs run (librabbitmq and libpq block, so each owner of a
/// connection gets a thread of its own).
///
/// The loop asks `isStopping` and waits with `sleep(_:)`, which a stop request ends at once.
/// `requestStop` only asks; the loop finishes its work in flight and returns, and
/// `waitUntilFinished` (or `stop(by:)`) waits for that with a deadline.
public final class WorkerThread: Sendable {
    public let name: String
    private let stopRequested = Atomic<Bool>(false)
    private let started = Atomic<Bool>(false)
    private let finished = DispatchSemaphore(value: 0)
    private let hasFinished = Atomic<Bool>(false)
    /// Signalled by `requestStop`, so that a `sleep` in progress ends.
    private let wake = DispatchSemaphore(value: 0)
    private let onStop: @Sendable () -> Void

    /// - Parameter onStop: called by `requestStop` after the flag is set, to end a wait the loop
    ///   is in that `sleep` does not cover (a broker's reconnect backoff, a wake-up semaphore).
    public init(name: String, onStop: @escaping @Sendable () -> Void = {}) {
        self.name = name
        self.onStop = onStop
    }

    /// Runs `body` on a new thread (once; later calls do nothing).
    public func start(_ body: @escaping @Sendable () -> Void) {
        guard !started.exchange(true, ordering: .relaxed) else { return }
        let thread = Thread { [self] in
            body()
            hasFinished.store(true, ordering: .releasing)
            finished.signal()
        }
        thread.name = name
        thread.start()
    }

    /// True once a stop was requested.
    public var isStopping: Bool { stopRequested.load(ordering: .relaxed) }

    /// Asks the loop to stop after its work in flight; ends a `sleep` in progress. Thread-safe.
    public func requestStop() {
        guard !stopRequested.exchange(true, ordering: .relaxed) else { return }
        wake.signal()
        onStop()
    }

    /// Waits `duration`, or less when a stop is requested. - Returns: false when stopping.
    @discardableResult
    public func sleep(_ duration: Duration) -> Bool {
        guard !isStopping else { return false }
        if duration > .zero, wake.wait(timeout: .after(duration)) == .success {
            wake.signal()  // keep the wake-up for any later sleep
        }
        return !isStopping
    }

    /// Waits until the loop returned, at most `timeout`. - Returns: true when it did (or never started).
    public func waitUntilFinished(timeout: Duration) -> Bool {
        guard started.load(ordering: .relaxed) else { return true }
        if hasFinished.load(ordering: .acquiring) { return true }
        guard finished.wait(timeout: .after(max(timeout, .zero))) == .success else { return false }
        finished.signal()  // later waiters see it too
        return true
    }

    /// Requests a stop and waits until `deadline`. - Returns: true when the loop finished in time.
    public func stop(by deadline: ContinuousClock.Instant) -> Bool {
        requestStop()
        return waitUntilFinished(timeout: deadline - .now)
    }
}

extension Collection where Element == WorkerThread {
    /// Asks every thread to stop first, then waits for each until the one `deadline`.
    /// - Returns: true when all finished in time.
    public func stop(by deadline: ContinuousClock.Instant) -> Bool {
        for thread in self { thread.requestStop() }
        var all = true
        for thread in self where !thread.waitUntilFinished(timeout: deadline - .now) { all = false }
        return all
    }
}
