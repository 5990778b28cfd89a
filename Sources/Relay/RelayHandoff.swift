import Foundation
import Synchronization

/// The ids of commands this process just recorded as PENDING, handed from the command consumers
/// to the relay workers in memory, oldest first, so that a worker claims each one by its primary
/// key (`CommandStore.claim(id:)`) instead of searching `command_log_due` for it.
///
/// A search can cost more the more commands went through recently: the partial index keeps a
/// dead entry for every command claimed or relayed since the last vacuum, at the front of the
/// order a search walks. Most of the cost first measured came instead from plans cached while the
/// tables were empty, which `RelayWorker.preferIndexScans` now rules out; a claim by id costs the
/// same whatever the history and whatever the plan. The handoff is only a hint: a
/// claim by id applies the same conditions and lease as a search (PENDING, due, no other lease),
/// and what the handoff never delivers (ids beyond its capacity, a process that died, commands
/// recorded by another replica, retries, leases that ran out) the periodic due search finds
/// (`DueSearchSchedule`).
final class RelayHandoff: Sendable {
    private let capacity: Int
    private let queue = Mutex(Queue())

    private struct Queue {
        var ids: [UUID] = []
        var head = 0
        var count: Int { ids.count - head }
    }

    init(capacity: Int) { self.capacity = max(capacity, 0) }

    /// Adds ids to the end; those beyond the capacity are left to the due search.
    func hand(_ ids: [UUID]) {
        guard !ids.isEmpty else { return }
        queue.withLock { queue in
            queue.ids.append(contentsOf: ids.prefix(max(capacity - queue.count, 0)))
        }
    }

    /// The oldest id handed over and not yet taken.
    func take() -> UUID? {
        queue.withLock { queue in
            guard queue.head < queue.ids.count else { return nil }
            let id = queue.ids[queue.head]
            queue.head += 1
            if queue.head == queue.ids.count {
                queue.ids.removeAll(keepingCapacity: true)
                queue.head = 0
            } else if queue.head >= 1024, queue.head * 2 >= queue.ids.count {
                queue.ids.removeFirst(queue.head)
                queue.head = 0
            }
            return id
        }
    }

    var isEmpty: Bool { queue.withLock { $0.count == 0 } }
}

/// When the relay workers of one service search `command_log_due`: at most one search per
/// `interval` while searches find nothing or the handoff has work, and one after another while
/// they keep finding due commands and the handoff is empty (a backlog after a restart).
final class DueSearchSchedule: Sendable {
    private let interval: Duration
    private let next = Mutex(ContinuousClock.now)

    init(interval: Duration) { self.interval = interval }

    /// True for one caller once the interval has passed since the last turn taken.
    func takeTurn() -> Bool {
        let now = ContinuousClock.now
        return next.withLock { next in
            guard now >= next else { return false }
            next = now + interval
            return true
        }
    }

    /// The last search found a command: more may be waiting, so the next turn is free at once.
    func searchAgain() { next.withLock { $0 = .now } }
}
