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

    private struct State {
        var queue: [Job?] = []
        var head = 0
        /// Workers waiting, the most recently idle last.
        var idle: [Int] = []
        /// A job handed straight to a woken worker.
        var handedOver: [Job?]
        var stopping = false

        var queued: Int { queue.count - head }

        mutating func dequeue() -> Job? {
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

    /// Queues `job`; false when the queue is full or the pool is stopping.
    func submit(_ job: @escaping Job) -> Bool {
        let woken: Int?? = state.withLock { state in
            guard !state.stopping else { return .none }
            if let worker = state.idle.popLast() {
                state.handedOver[worker] = job
                return .some(worker)
            }
            guard state.queued < maxQueued else { return .none }
            state.queue.append(job)
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
            enum Next { case run(Job), sleep, exit }
            let next: Next = state.withLock { state in
                if let job = state.handedOver[index] {
                    state.handedOver[index] = nil
                    return .run(job)
                }
                if let job = state.dequeue() { return .run(job) }
                if state.stopping { return .exit }
                state.idle.append(index)
                return .sleep
            }
            switch next {
            case .run(let job): job()
            case .sleep: wakeups[index].wait()
            case .exit: return
            }
        }
    }
}
