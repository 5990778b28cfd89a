import Foundation
import Timekeeping

/// Counts running ESM API handlers and lets their simulated latency be cut short, so that the
/// simulator can stop its HTTP server only once no handler is left to answer.
final class ESMHandlerGate: @unchecked Sendable {
    // Invariant for @unchecked Sendable: every stored var is touched only while holding `condition`.
    private let condition = NSCondition()
    private var running = 0
    private var interrupted = false

    func enter() {
        condition.lock()
        running += 1
        condition.unlock()
    }

    func leave() {
        condition.lock()
        running -= 1
        condition.broadcast()
        condition.unlock()
    }

    /// Sleeps for `duration` unless `interruptSleeps()` is called first (or was called).
    func sleep(_ duration: Duration) {
        let limit = Date().addingTimeInterval(duration.inSeconds)
        condition.lock()
        while !interrupted && condition.wait(until: limit) {}
        condition.unlock()
    }

    func interruptSleeps() {
        condition.lock()
        interrupted = true
        condition.broadcast()
        condition.unlock()
    }

    func allowSleeps() {
        condition.lock()
        interrupted = false
        condition.unlock()
    }

    /// Waits until no handler runs; false on timeout.
    func waitUntilIdle(timeout: Duration) -> Bool {
        let limit = Date().addingTimeInterval(Double(timeout.components.seconds))
        condition.lock()
        defer { condition.unlock() }
        while running > 0 {
            if !condition.wait(until: limit) { return running == 0 }
        }
        return true
    }
}
