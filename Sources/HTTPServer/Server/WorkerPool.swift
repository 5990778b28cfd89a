import Dispatch
import Foundation
import Synchronization
import Timekeeping

/// A fixed set of threads running jobs that may block (database calls), fed by a bounded queue so
/// that a burst cannot grow memory without limit: `submit` refuses when the queue is full.
///
/// Idle workers wait on their own semaphore and are woken last-in first-out, so under a CPU-bound
/// load the same few (cache-warm) threads do the work and the rest stay asleep; when handlers
/// block, more of them join in.
final class WorkerPool: Sendable {
    typealias Job = @Sendable () -> Void

    /// A queued job and the instant (`SystemInfo.now()`) after which it is no longer wanted.
    private struct Queued {
        let job: Job
        let deadline: UInt64?
    }

    private struct State {
        var queue: [Queued?] = []
        var head = 0
        /// Workers waiting, the most recently idle last.
        var idle: [Int] = []
        /// A job handed straight to a woken worker.
        var handedOver: [Job?]
        var stopping = false

        var queued: Int { queue.count - head }

        mutating func dequeue() -> Queued? {
            guard head < queue.count else { return nil }
            let job = queue[head]
            queue[head] = nil
            head += 1
            if head == queue.count {
                queue.removeAll(keepingCapacity: true)
                head = 0
            }
            return job
        }
    }

    private let state: Mutex<State>
    private let wakeups: [DispatchSemaphore]
    private let maxQueued: Int
    private let finished = DispatchGroup()

    init(threadCount: Int, maxQueued: Int) {
        self.maxQueued = maxQueued
        state = Mutex(State(handedOver: Array(repeating: nil, count: threadCount)))
        wakeups = (0..<threadCount).map { _ in DispatchSemaphore(value: 0) }
        for index in 0..<threadCount {
            finished.enter()
            let thread = Thread { [self] in
                runWorker(index)
                finished.leave()
            }
            thread.name = "http-worker-\(index)"
            thread.start()
        }
    }

    /// Jobs dropped unrun because their deadline passed while they waited.
    let expiredJobs = Atomic<Int>(0)

    /// Queues `job`; false when the queue is full or the pool is stopping. A job still queued at
    /// `deadline` (nanoseconds of `SystemInfo.now()`) is dropped unrun: its client was already
    /// answered 503 by the handler budget, and running it then (a retried `POST` applying twice)
    /// would only do harm.
    func submit(deadline: UInt64? = nil, _ job: @escaping Job) -> Bool {
        let woken: Int?? = state.withLock { state in
            guard !state.stopping else { return .none }
            if let worker = state.idle.popLast() {
                state.handedOver[worker] = job
                return .some(worker)
            }
            guard state.queued < maxQueued else { return .none }
            state.queue.append(Queued(job: job, deadline: deadline))
            return .some(nil)
        }
        guard let woken else { return false }
        if let worker = woken { wakeups[worker].signal() }
        return true
    }

    /// Lets the workers finish the queue and exit; waits for them at most `timeout`.
    func shutdown(timeout: Duration) {
        let sleeping = state.withLock { state in
            state.stopping = true
            defer { state.idle.removeAll() }
            return state.idle
        }
        for worker in sleeping { wakeups[worker].signal() }
        _ = finished.wait(timeout: .after(timeout))
    }

    private func runWorker(_ index: Int) {
        while true {
            enum Next { case run(Job), expired, sleep, exit }
            let next: Next = state.withLock { state in
                if let job = state.handedOver[index] {
                    state.handedOver[index] = nil
                    return .run(job)
                }
                if let queued = state.dequeue() {
                    if let deadline = queued.deadline, SystemInfo.now() >= deadline { return .expired }
                    return .run(queued.job)
                }
                if state.stopping { return .exit }
                state.idle.append(index)
                return .sleep
            }
            switch next {
            case .run(let job): job()
            case .expired: expiredJobs.add(1, ordering: .relaxed)
            case .sleep: wakeups[index].wait()
            case .exit: return
            }
        }
    }
}
