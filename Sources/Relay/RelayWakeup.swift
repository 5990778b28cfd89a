import Dispatch
import Synchronization
import Timekeeping

/// Wakes idle threads early when work is known to be waiting (a command just recorded, an event
/// just written); threads also wake on their own poll interval for work nobody announced.
final class RelayWakeup: Sendable {
    private let semaphore = DispatchSemaphore(value: 0)
    private let waiters: Int
    /// Signals not yet consumed, capped at `waiters` so a burst does not cause a run of empty polls.
    private let pending = Mutex(0)

    init(waiters: Int) { self.waiters = max(waiters, 1) }

    /// Wakes up to `count` waiting threads.
    func signal(_ count: Int = 1) {
        let toSignal = pending.withLock { pending in
            let added = max(0, min(count, waiters - pending))
            pending += added
            return added
        }
        for _ in 0..<toSignal { semaphore.signal() }
    }

    /// Waits until signalled or `timeout` passes.
    func wait(timeout: Duration) {
        if semaphore.wait(timeout: .after(timeout)) == .success {
            pending.withLock { $0 = max($0 - 1, 0) }
        }
    }
}
