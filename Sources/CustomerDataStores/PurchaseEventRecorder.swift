import CustomerData
import Dispatch
import Foundation
import Postgres
import Synchronization

/// Group commit for purchase customer events: posts that arrive while others are being recorded
/// wait, and are then recorded together by one statement in one transaction
/// (`PurchaseEventStore.insert`), so that they share its round trip, its executor start and its
/// commit. Each post's answer is the one `PurchaseEventStore.record` gives it alone, and comes
/// only after its event has committed.
///
/// No post waits for a timer: a post that finds fewer than `concurrentBatches` batches running
/// leads one at once (alone, when nothing else is waiting); the others queue, and when a batch
/// has committed its leader hands the lead to the first post queued, which takes up to
/// `maximumBatch` posts. A batch holds at most one post per id and per reference number (a
/// repeat runs alone after the batch, so it finds the event its twin recorded); when the
/// statement fails (a product line the database refuses, reference data deleted meanwhile, a
/// connection lost), nothing of the batch was written and every post of it runs alone, so one
/// bad post fails only itself.
///
/// The batches run on connections of their own (at most `concurrentBatches`, opened like the
/// pool's), whose sessions plan the statement once (`plan_cache_mode = force_generic_plan`):
/// PostgreSQL sizes a custom plan by the arrays' lengths, so once a connection's first five
/// executions were batches of one, the generic plan (sized for ten) looked dearer and every later
/// batch was planned anew, which cost more than recording it.
public final class PurchaseEventRecorder: Sendable {
    private final class Waiter: Sendable {
        enum Turn {
            /// The batch committed; this is the post's row (`created_id` nil: nothing inserted).
            case resolved(PostgresRow)
            /// Record it alone (a repeat, or its batch failed).
            case alone
            /// Lead the next batch.
            case lead
        }

        let post: PurchaseEventStore.Post
        private let turn = Mutex<Turn?>(nil)
        private let woken = DispatchSemaphore(value: 0)

        init(_ post: PurchaseEventStore.Post) { self.post = post }

        func wake(_ turn: Turn) {
            self.turn.withLock { $0 = turn }
            woken.signal()
        }

        func waitForTurn() -> Turn {
            woken.wait()
            return turn.withLock { $0 } ?? .alone
        }
    }

    private struct Queue {
        var waiting: [Waiter] = []
        var batchesRunning = 0
    }

    private struct Key: Hashable {
        let organizationID: UUID
        let id: UUID?
        let referenceNumber: String?
    }

    private let pool: PostgresPool
    private let store = PurchaseEventStore()
    private let maximumBatch: Int
    private let concurrentBatches: Int
    private let queue = Mutex(Queue())
    private let batchConnections = Mutex<[PostgresConnection]>([])

    /// - Parameters:
    ///   - maximumBatch: posts per statement at most.
    ///   - concurrentBatches: statements running at once at most (each on a connection of `pool`).
    public init(pool: PostgresPool, maximumBatch: Int = 64, concurrentBatches: Int = 2) {
        self.pool = pool
        self.maximumBatch = max(1, maximumBatch)
        self.concurrentBatches = max(1, concurrentBatches)
    }

    /// Posts queued for the next batch now.
    public var waitingCount: Int { queue.withLock { $0.waiting.count } }

    /// `PurchaseEventStore.record`, recorded with the posts that arrive meanwhile.
    public func record(_ request: PurchaseEventRequest, organizationID: UUID, apiKeyID: UUID?) throws -> PurchaseEventStore.Outcome {
        let waiter = Waiter(PurchaseEventStore.Post(request, organizationID: organizationID, apiKeyID: apiKeyID))
        let leads = queue.withLock { queue in
            guard queue.batchesRunning < concurrentBatches else {
                queue.waiting.append(waiter)
                return false
            }
            queue.batchesRunning += 1
            return true
        }
        let turn = leads ? .lead : waiter.waitForTurn()
        switch turn {
        case .lead: return try lead(waiter)
        case .resolved(let row): return try finish(waiter.post, resolvedBy: row)
        case .alone: return try pool.withConnection { try store.record(waiter.post, resolvedBy: nil, on: $0) }
        }
    }

    private func finish(_ post: PurchaseEventStore.Post, resolvedBy row: PostgresRow) throws -> PurchaseEventStore.Outcome {
        if let id = try row.optionalUUID("created_id") { return .created(id) }
        return try pool.withConnection { try store.record(post, resolvedBy: row, on: $0) }
    }

    /// Records `leader`'s post with those queued, then hands the lead on.
    private func lead(_ leader: Waiter) throws -> PurchaseEventStore.Outcome {
        let followers = queue.withLock { queue in
            let taken = Array(queue.waiting.prefix(maximumBatch - 1))
            queue.waiting.removeFirst(taken.count)
            return taken
        }
        var keys = Set<Key>(), batch: [Waiter] = [], repeats: [Waiter] = []
        for waiter in [leader] + followers {
            let post = waiter.post
            let byID = Key(organizationID: post.organizationID, id: post.eventID, referenceNumber: nil)
            let byReference = Key(organizationID: post.organizationID, id: nil, referenceNumber: post.request.referenceNumber)
            if keys.contains(byID) || keys.contains(byReference) {
                repeats.append(waiter)
            } else {
                keys.formUnion([byID, byReference])
                batch.append(waiter)
            }
        }
        var turns: [Waiter.Turn]
        do {
            let rows = try withBatchConnection { try PurchaseEventStore.insert(batch.map(\.post), on: $0) }
            turns = rows.map { .resolved($0) }
        } catch {
            turns = Array(repeating: .alone, count: batch.count)
        }
        handOn(waking: Array(zip(batch.dropFirst(), turns.dropFirst())) + repeats.map { ($0, .alone) })
        switch turns[0] {
        case .resolved(let row): return try finish(leader.post, resolvedBy: row)
        case .alone, .lead: return try pool.withConnection { try store.record(leader.post, resolvedBy: nil, on: $0) }
        }
    }

    /// Runs `body` on an idle batch connection, or a new one; keeps it afterwards unless it broke.
    private func withBatchConnection<T>(_ body: (PostgresConnection) throws -> T) throws -> T {
        let connection: PostgresConnection
        if let idle = batchConnections.withLock({ $0.popLast() }) {
            connection = idle
        } else {
            connection = try pool.openConnection()
            _ = try connection.execute("SET plan_cache_mode = force_generic_plan")
        }
        defer {
            if connection.isHealthy, !connection.isInTransaction { batchConnections.withLock { $0.append(connection) } }
        }
        return try body(connection)
    }

    /// Gives the lead to the first post waiting (or ends this batch's turn), then wakes the
    /// posts of the batch that committed.
    private func handOn(waking posts: [(Waiter, Waiter.Turn)]) {
        let next = queue.withLock { queue -> Waiter? in
            guard !queue.waiting.isEmpty else {
                queue.batchesRunning -= 1
                return nil
            }
            return queue.waiting.removeFirst()
        }
        next?.wake(.lead)
        for (waiter, turn) in posts { waiter.wake(turn) }
    }
}
