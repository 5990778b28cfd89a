import Foundation
import Postgres
import Synchronization
import TestSupport
import Testing

/// Runs `body(index)` on `count` new threads (not the cooperative pool: the pool blocks) and waits.
func onThreads(_ count: Int, _ body: @escaping @Sendable (Int) -> Void) {
    let group = DispatchGroup()
    for index in 0..<count {
        group.enter()
        Thread {
            body(index)
            group.leave()
        }.start()
    }
    group.wait()
}

@Suite struct PostgresPoolTests {
    let url: String

    init() throws {
        url = try TestDatabase.fresh(migrated: false)
        try PostgresConnection(url: url).execute("CREATE TABLE hits (thread int, n int, backend int)")
    }

    @Test func concurrentLeasesNeverExceedTheSizeAndLoseNothing() throws {
        let pool = PostgresPool(url: url, size: 3)
        let errors = Mutex<[String]>([])
        let leased = Atomic<Int>(0)
        let mostLeased = Atomic<Int>(0)
        onThreads(8) { thread in
            for n in 0..<40 {
                do {
                    try pool.withConnection { connection in
                        let now = leased.add(1, ordering: .relaxed).newValue
                        _ = mostLeased.max(now, ordering: .relaxed)
                        defer { leased.subtract(1, ordering: .relaxed) }
                        try connection.execute(
                            "INSERT INTO hits VALUES ($1, $2, pg_backend_pid())", [.int(Int64(thread)), .int(Int64(n))])
                    }
                } catch {
                    errors.withLock { $0.append("\(error)") }
                }
            }
        }
        #expect(errors.withLock { $0 } == [])
        #expect(mostLeased.load(ordering: .relaxed) <= 3)
        let check = try PostgresConnection(url: url)
        let totals = try check.query("SELECT count(*), count(DISTINCT (thread, n)), count(DISTINCT backend) FROM hits")[0]
        #expect(try totals.int(0) == 320)
        #expect(try totals.int(1) == 320)
        #expect(try totals.int(2) <= 3, "at most `size` server sessions were used")
        #expect(pool.idleCount <= 3)
    }

    @Test func exhaustedPoolTimesOutWithARetriableError() throws {
        let pool = PostgresPool(url: url, size: 1, acquireTimeout: .milliseconds(200))
        let outcome = Mutex<PostgresError?>(nil)
        try pool.withConnection { _ in
            onThreads(1) { _ in
                do {
                    try pool.withConnection { _ in }
                } catch let error as PostgresError {
                    outcome.withLock { $0 = error }
                } catch {}
            }
        }
        let error = try #require(outcome.withLock { $0 })
        #expect(error.code == .poolTimeout)
        #expect(error.isRetriable)
        let answer = try pool.withConnection { try $0.query("SELECT 1")[0].int(0) }
        #expect(answer == 1)
    }

    @Test func brokenConnectionIsReplaced() throws {
        let pool = PostgresPool(url: url, size: 1)
        let first = try pool.withConnection { connection in
            let pid = try connection.query("SELECT pg_backend_pid()")[0].int(0)
            try PostgresConnection(url: url).query("SELECT pg_terminate_backend($1::int)", [.int(Int64(pid))])
            #expect(throws: PostgresError.self) { try connection.query("SELECT 1") }
            return pid
        }
        let second = try pool.withConnection { try $0.query("SELECT pg_backend_pid()")[0].int(0) }
        #expect(first != second)
    }

    @Test func transactionLeftOpenIsRolledBackOnReturn() throws {
        let pool = PostgresPool(url: url, size: 1)
        try pool.withConnection { connection in
            try connection.execute("BEGIN")
            try connection.execute("INSERT INTO hits VALUES (1, 1, 1)")
        }
        let (inTransaction, count) = try pool.withConnection { connection in
            (connection.isInTransaction, try connection.query("SELECT count(*) FROM hits")[0].int(0))
        }
        #expect(!inTransaction)
        #expect(count == 0)
    }

    @Test func poolTransactionCommitsOrRollsBack() throws {
        struct Stop: Error {}
        let pool = PostgresPool(url: url, size: 1)
        try pool.transaction { try $0.execute("INSERT INTO hits VALUES (1, 1, 1)") }
        #expect(throws: Stop.self) {
            try pool.transaction { connection in
                try connection.execute("INSERT INTO hits VALUES (2, 2, 2)")
                throw Stop()
            }
        }
        #expect(try pool.withConnection { try $0.query("SELECT count(*) FROM hits")[0].int(0) } == 1)
    }

    /// Pooled connections carry a statement and a lock timeout (docs/RELIABILITY.md, item 11):
    /// a stuck query or a lock held elsewhere cannot keep a lease, and an HTTP worker, past them.
    @Test func pooledConnectionsHaveStatementAndLockTimeouts() throws {
        let url = try TestDatabase.fresh()
        let pool = PostgresPool(url: url, size: 1, sessionLimits: .init(statementTimeout: .milliseconds(300),
                                                                          lockTimeout: .milliseconds(200)))
        defer { pool.close() }
        let slow = try #require(throws: PostgresError.self) { try pool.withConnection { try $0.query("SELECT pg_sleep(5)") } }
        #expect(slow.sqlState == "57014")
        let holder = try PostgresConnection(url: url)
        try holder.execute("CREATE TABLE locked (id int)")
        try holder.execute("BEGIN")
        try holder.execute("LOCK TABLE locked IN ACCESS EXCLUSIVE MODE")
        let started = ContinuousClock.now
        let waiting = try #require(throws: PostgresError.self) { try pool.withConnection { try $0.query("SELECT * FROM locked") } }
        #expect(waiting.sqlState == "55P03")
        #expect(ContinuousClock.now - started < .seconds(2))
        try holder.execute("ROLLBACK")
        #expect(PostgresPool.SessionLimits().statementTimeout! < .seconds(30), "under the HTTP handler budget")
    }

    @Test func closedPoolRefusesLeases() throws {
        let pool = PostgresPool(url: url, size: 2)
        try pool.withConnection { _ in }
        pool.close()
        #expect(pool.idleCount == 0)
        let error = try #require(throws: PostgresError.self) { try pool.withConnection { _ in } }
        #expect(error.code == .poolClosed)
    }
}
