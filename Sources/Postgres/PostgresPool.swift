import Dispatch
import Foundation
import Synchronization
import Timekeeping

/// A small bounded pool of blocking connections, opened lazily up to `size`.
///
/// `withConnection` leases one connection to the calling thread for the closure's duration and
/// blocks while all are busy, up to `acquireTimeout` (then `.poolTimeout`, retriable). A connection
/// that comes back broken is closed and replaced by a new one on a later lease; one left inside a
/// transaction is rolled back first. Connections idle for a while are checked before reuse, so a
/// server restart costs no failed lease.
public final class PostgresPool: Sendable {
    private struct Idle {
        let connection: PostgresConnection
        let since: ContinuousClock.Instant
    }

    private struct State {
        var idle: [Idle] = []
        var closed = false
    }

    public let size: Int
    public let acquireTimeout: Duration
    private let url: String
    /// One permit per connection that may exist; waiting on it is the blocking.
    private let permits: DispatchSemaphore
    private let state = Mutex(State())
    private let leased = Atomic<Int>(0)
    private let waiting = Atomic<Int>(0)
    private static let idleCheckAfter: Duration = .seconds(30)

    /// Applied to every connection the pool opens: no statement runs longer, and no lock is
    /// waited for longer, so a lease never outlives the HTTP handler budget (30 s) that the API's
    /// requests run under. Nil leaves the server's default (none).
    public struct SessionLimits: Sendable, Equatable {
        public var statementTimeout: Duration?
        public var lockTimeout: Duration?

        public init(statementTimeout: Duration? = .seconds(25), lockTimeout: Duration? = .seconds(5)) {
            self.statementTimeout = statementTimeout
            self.lockTimeout = lockTimeout
        }
    }

    private let sessionLimits: SessionLimits

    /// Does not connect yet; the first lease does (so a bad URL shows on first use).
    public init(url: String, size: Int, acquireTimeout: Duration = .seconds(10), sessionLimits: SessionLimits = SessionLimits()) {
        precondition(size > 0, "a pool needs at least one connection")
        self.url = url
        self.size = size
        self.acquireTimeout = acquireTimeout
        self.sessionLimits = sessionLimits
        self.permits = DispatchSemaphore(value: size)
    }

    /// Whether the server answers a trivial query now (for readiness probes).
    public func isReachable() -> Bool {
        (try? withConnection { try $0.query("SELECT 1") }) != nil
    }

    /// Runs `body` with a connection leased to this thread alone; returns the body's value.
    public func withConnection<T>(_ body: (PostgresConnection) throws -> T) throws -> T {
        waiting.add(1, ordering: .relaxed)
        let acquired = permits.wait(timeout: .after(acquireTimeout)) == .success
        waiting.subtract(1, ordering: .relaxed)
        guard acquired else {
            throw PostgresError(code: .poolTimeout, message: "all \(size) connections stayed busy for \(acquireTimeout)")
        }
        let connection: PostgresConnection
        do {
            connection = try lease()
        } catch {
            permits.signal()
            throw error
        }
        leased.add(1, ordering: .relaxed)
        defer {
            leased.subtract(1, ordering: .relaxed)
            giveBack(connection)
        }
        return try body(connection)
    }

    /// Leases a connection and runs `body` in a transaction on it (see `PostgresConnection.transaction`).
    @discardableResult
    public func transaction<T>(
        isolation: PostgresConnection.IsolationLevel = .readCommitted, _ body: (PostgresConnection) throws -> T
    ) throws -> T {
        try withConnection { connection in try connection.transaction(isolation: isolation, body) }
    }

    /// Closes the idle connections; leases still running finish, and later ones throw `.poolClosed`.
    public func close() {
        let idle = state.withLock { state in
            state.closed = true
            defer { state.idle = [] }
            return state.idle
        }
        _ = idle  // released here, outside the lock: deinit closes each connection
    }

    /// Connections currently open and idle (for metrics and tests).
    public var idleCount: Int { state.withLock { $0.idle.count } }

    /// Connections leased to a caller right now.
    public var inUseCount: Int { leased.load(ordering: .relaxed) }

    /// Callers blocked waiting for a connection right now.
    public var waitingCount: Int { waiting.load(ordering: .relaxed) }

    private func lease() throws -> PostgresConnection {
        let taken: Idle? = try state.withLock { state in
            if state.closed { throw PostgresError(code: .poolClosed, message: "the pool is closed") }
            return state.idle.popLast()
        }
        if let taken {
            guard ContinuousClock.now - taken.since > Self.idleCheckAfter else { return taken.connection }
            if (try? taken.connection.query("SELECT 1")) != nil { return taken.connection }
        }
        return try openConnection()  // network I/O outside the lock
    }

    /// Opens a connection with the pool's URL and session settings (statement and lock
    /// timeouts) that the pool does not count or lease, for an owner that keeps it (an event
    /// loop's `PostgresPipeline`). Blocking.
    public func openConnection() throws -> PostgresConnection {
        let opened = try PostgresConnection(url: url)
        try opened.setStatementTimeout(sessionLimits.statementTimeout)
        try opened.setLockTimeout(sessionLimits.lockTimeout)
        return opened
    }

    private func giveBack(_ connection: PostgresConnection) {
        defer { permits.signal() }
        if connection.isHealthy, connection.isInTransaction {
            _ = try? connection.execute("ROLLBACK")  // the body left BEGIN open
        }
        guard connection.isHealthy, !connection.isInTransaction else { return }  // dropped: closes in deinit
        state.withLock { state in
            if !state.closed { state.idle.append(Idle(connection: connection, since: .now)) }
        }
    }
}
