import Foundation

/// Counts running handlers and lets their waits be cut short, so the simulator stops its HTTP
/// server only once no handler is left to answer (a hang of a minute must not hold a test).
final class SimulatorHandlerGate: @unchecked Sendable {
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

    /// Waits `milliseconds` unless interrupted (before or during).
    func sleep(milliseconds: Int) {
        guard milliseconds > 0 else { return }
        let limit = Date().addingTimeInterval(Double(milliseconds) / 1000)
        condition.lock()
        while !interrupted && condition.wait(until: limit) {}
        condition.unlock()
    }

    /// Cuts every wait short until `allow()`, then waits up to `timeout` for handlers to finish.
    func interruptAndDrain(timeout: TimeInterval) {
        let limit = Date().addingTimeInterval(timeout)
        condition.lock()
        interrupted = true
        condition.broadcast()
        while running > 0 && condition.wait(until: limit) {}
        condition.unlock()
    }

    func allow() {
        condition.lock()
        interrupted = false
        condition.unlock()
    }
}
