import Foundation
import HTTPServer
import Messaging
import Postgres
import Synchronization

/// Read-only statements answered on the HTTP event loops. Each loop gets connections of its own
/// in pipeline mode (`PostgresPipeline`, opened in the background on first use, with the pool's
/// URL and session settings), so a request's statement needs no worker thread and no hand-over
/// between threads: the loop queues it, sends the statements of its turn in one write, and
/// answers the request when the result arrives on the connection's socket.
///
/// While a loop's connections are still opening, broken, or each holding
/// `maximumPendingPerConnection` statements, `send` declines and the caller runs the statement
/// on the pool instead, so nothing waits on the loop without bound.
public final class LoopDatabase: Sendable {
    /// What a statement sent on a loop came to.
    public enum Outcome<Value> {
        case value(Value)
        /// The server refused the statement, or its rows did not decode: answer with the error.
        case failed(any Error)
        /// The loop's connection broke, or an earlier statement of the batch failed: nothing of
        /// it ran to completion; run it elsewhere.
        case retryElsewhere
    }

    public let pool: PostgresPool
    let connectionsPerLoop: Int
    let maximumPendingPerConnection: Int
    /// How long a loop waits after a failed connection attempt before trying again.
    let retryDelay: Duration
    private let sentOnLoop = Atomic<Int>(0)
    private let ranOnPool = Atomic<Int>(0)

    /// Statements sent on an event loop, and run on the pool (declined, or fallen back after a
    /// loop connection broke), so far.
    public var counts: (onLoop: Int, onPool: Int) {
        (sentOnLoop.load(ordering: .relaxed), ranOnPool.load(ordering: .relaxed))
    }

    public init(pool: PostgresPool, connectionsPerLoop: Int = 2, maximumPendingPerConnection: Int = 64,
                retryDelay: Duration = .seconds(1)) {
        self.pool = pool
        self.connectionsPerLoop = max(1, connectionsPerLoop)
        self.maximumPendingPerConnection = max(1, maximumPendingPerConnection)
        self.retryDelay = retryDelay
    }

    /// Queues `query` on one of `loop`'s connections (the least busy); `completion` runs on the
    /// loop once its result arrived, never from inside this call. False, with nothing sent and
    /// `completion` never called, when no connection of the loop can take it now.
    public func send<Value>(_ query: PostgresQuery<Value>, on loop: EventLoopContext,
                            completion: @escaping (Outcome<Value>) -> Void) -> Bool {
        let connections = loop.local(for: self) { LoopConnections(database: self, loop: loop) }
        let sent = connections.send(query.sql, query.parameters) { result in
            switch result {
            case .success(let rows):
                do {
                    completion(.value(try query.decode(rows)))
                } catch {
                    completion(.failed(error))
                }
            case .failure(let error) where error.code == .connectionLost || error.code == .pipelineAborted:
                completion(.retryElsewhere)
            case .failure(let error):
                completion(.failed(error))
            }
        }
        if sent { sentOnLoop.add(1, ordering: .relaxed) }
        return sent
    }

    /// Runs `query` on a pooled connection (blocking: from the worker pool).
    public func run<Value>(_ query: PostgresQuery<Value>) throws -> Value {
        ranOnPool.add(1, ordering: .relaxed)
        return try pool.withConnection { try $0.run(query) }
    }

    /// Opens a connection for `slot` of `loop` off the loop's thread, and installs it there.
    func open(slot: Int, of loop: EventLoopContext) {
        WorkerThread(name: "loop-database-connect").start { [self] in
            let opened: PostgresConnection?
            do {
                let connection = try pool.openConnection()
                try PostgresPipeline.prepareSession(of: connection)
                opened = connection
            } catch {
                opened = nil
            }
            loop.execute { [self] in
                loop.local(for: self) { LoopConnections(database: self, loop: loop) }.opened(opened, slot: slot)
            }
        }
    }
}

/// One loop's connections of a `LoopDatabase`; lives in the loop's per-loop state and is used on
/// its thread only.
final class LoopConnections {
    private let database: LoopDatabase
    private unowned let loop: EventLoopContext
    private let slots: [LoopConnectionSlot]
    private var flushScheduled = false

    init(database: LoopDatabase, loop: EventLoopContext) {
        self.database = database
        self.loop = loop
        slots = (0..<database.connectionsPerLoop).map { _ in LoopConnectionSlot(loop: loop) }
    }

    func send(_ sql: String, _ parameters: [PostgresValue], completion: @escaping PostgresPipeline.Completion) -> Bool {
        openClosedSlots()
        var chosen: (slot: LoopConnectionSlot, pipeline: PostgresPipeline)?
        for slot in slots {
            guard let pipeline = slot.pipeline, pipeline.pendingCount < database.maximumPendingPerConnection else { continue }
            if chosen.map({ pipeline.pendingCount < $0.pipeline.pendingCount }) ?? true { chosen = (slot, pipeline) }
        }
        guard let (slot, pipeline) = chosen else { return false }
        do {
            try pipeline.send(sql, parameters, completion: completion)
        } catch {
            slot.checkFailure()
            return false
        }
        slot.needsFlush = true
        if !flushScheduled {
            flushScheduled = true
            loop.atEndOfTurn { [self] in flush() }
        }
        return true
    }

    /// A connection attempt for `slot` ended (nil: it failed).
    func opened(_ connection: PostgresConnection?, slot index: Int) {
        slots[index].opened(connection, retryAfter: database.retryDelay)
    }

    private func flush() {
        flushScheduled = false
        for slot in slots where slot.needsFlush { slot.flush() }
    }

    private func openClosedSlots() {
        let now = ContinuousClock.now
        for (index, slot) in slots.enumerated() where slot.shouldOpen(now: now) {
            slot.state = .opening
            database.open(slot: index, of: loop)
        }
    }
}

/// One connection of a loop: closed, opening, or open and watched by the loop.
final class LoopConnectionSlot: LoopWatcher {
    enum State {
        case closed(retryAt: ContinuousClock.Instant?)
        case opening
        case open(PostgresPipeline)
    }

    private unowned let loop: EventLoopContext
    var state = State.closed(retryAt: nil)
    var needsFlush = false
    private var watchingWrites = false

    init(loop: EventLoopContext) { self.loop = loop }

    var pipeline: PostgresPipeline? {
        if case .open(let pipeline) = state { return pipeline }
        return nil
    }

    func shouldOpen(now: ContinuousClock.Instant) -> Bool {
        guard case .closed(let retryAt) = state else { return false }
        return retryAt.map { now >= $0 } ?? true
    }

    func opened(_ connection: PostgresConnection?, retryAfter delay: Duration) {
        guard let connection, let pipeline = try? PostgresPipeline(taking: connection) else {
            state = .closed(retryAt: .now + delay)
            return
        }
        state = .open(pipeline)
        watchingWrites = false
        loop.watch(pipeline.socket, readable: true, writable: false, by: self)
    }

    func flush() {
        needsFlush = false
        guard let pipeline else { return }
        setWriteInterest(pipeline.flush())
        checkFailure()
    }

    func descriptorReady(readable: Bool, writable: Bool) {
        guard let pipeline else { return }
        let more = readable ? pipeline.readAvailable() : pipeline.flush()
        setWriteInterest(more)
        checkFailure()
    }

    /// A failed pipeline (its waiting statements already told) is dropped; the next send opens
    /// a new connection.
    func checkFailure() {
        guard let pipeline, pipeline.failure != nil else { return }
        loop.unwatch(pipeline.socket)
        state = .closed(retryAt: nil)
    }

    private func setWriteInterest(_ wanted: Bool) {
        guard let pipeline, wanted != watchingWrites else { return }
        watchingWrites = wanted
        loop.changeWatch(pipeline.socket, readable: true, writable: wanted)
    }
}
