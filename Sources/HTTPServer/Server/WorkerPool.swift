import Foundation

/// A fixed set of threads running jobs that may block (database calls), fed by a bounded queue so
/// that a burst cannot grow memory without limit: `submit` refuses when the queue is full.
final class WorkerPool: @unchecked Sendable {
    // Invariant: `jobs`, `head` and `stopping` are touched only while `condition` is locked.
    private let condition = NSCondition()
    private var jobs: [(@Sendable () -> Void)?] = []
    private var head = 0
    private var stopping = false
    private let maxQueued: Int
    private let finished = DispatchGroup()

    init(threadCount: Int, maxQueued: Int) {
        self.maxQueued = maxQueued
        for index in 0..<threadCount {
            finished.enter()
            let thread = Thread { [self] in
                runWorker()
                finished.leave()
            }
            thread.name = "http-worker-\(index)"
            thread.start()
        }
    }

    /// Queues `job`; false when the queue is full or the pool is stopping.
    func submit(_ job: @escaping @Sendable () -> Void) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        guard !stopping, jobs.count - head < maxQueued else { return false }
        jobs.append(job)
        condition.signal()
        return true
    }

    /// Lets the workers finish the queue and exit; waits for them at most `timeout`.
    func shutdown(timeout: Duration) {
        condition.lock()
        stopping = true
        condition.broadcast()
        condition.unlock()
        let seconds = Double(timeout.components.seconds) + Double(timeout.components.attoseconds) / 1e18
        _ = finished.wait(timeout: .now() + seconds)
    }

    private func runWorker() {
        while let job = nextJob() {
            job()
        }
    }

    private func nextJob() -> (@Sendable () -> Void)? {
        condition.lock()
        defer { condition.unlock() }
        while head == jobs.count {
            if stopping { return nil }
            condition.wait()
        }
        let job = jobs[head]
        jobs[head] = nil
        head += 1
        if head == jobs.count {
            jobs.removeAll(keepingCapacity: true)
            head = 0
        } else if head >= 1024 && head * 2 >= jobs.count {
            jobs.removeSubrange(0..<head)
            head = 0
        }
        return job
    }
}
