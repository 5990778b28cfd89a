import Foundation
import Glibc
import Postgres
import TestSupport
import Testing

/// `PostgresPipeline` driven as an event loop drives it: send, flush, then read whenever its
/// socket is readable, until every completion ran.
@Suite struct PostgresPipelineTests {
    let url: String
    let pipeline: PostgresPipeline
    let other: PostgresConnection

    init() throws {
        url = try TestDatabase.fresh(migrated: false)
        other = try PostgresConnection(url: url)
        try other.execute("CREATE TABLE items (id int8 PRIMARY KEY, label text NOT NULL)")
        try other.execute("INSERT INTO items SELECT n, 'item ' || n FROM generate_series(1, 100) n")
        let connection = try PostgresConnection(url: url)
        try PostgresPipeline.prepareSession(of: connection)
        pipeline = try PostgresPipeline(taking: connection)
    }

    /// The outcomes, in the order their completions ran.
    final class Outcomes {
        var list: [(tag: Int, result: Result<PostgresRows, PostgresError>)] = []
    }

    /// Sends `statements` (each with a tag), flushes once, and reads until all completed.
    private func run(_ statements: [(tag: Int, sql: String, parameters: [PostgresValue])]) throws -> Outcomes {
        let outcomes = Outcomes()
        for statement in statements {
            try pipeline.send(statement.sql, statement.parameters) { outcomes.list.append((statement.tag, $0)) }
        }
        #expect(outcomes.list.isEmpty, "no completion runs inside send")
        var wantsWrite = pipeline.flush()
        let deadline = ContinuousClock.now + .seconds(10)
        while pipeline.pendingCount > 0, ContinuousClock.now < deadline {
            var descriptor = pollfd(fd: pipeline.socket, events: Int16(POLLIN) | (wantsWrite ? Int16(POLLOUT) : 0), revents: 0)
            guard poll(&descriptor, 1, 200) > 0 else { continue }
            if descriptor.revents & Int16(POLLOUT) != 0 { wantsWrite = pipeline.flush() }
            if descriptor.revents & ~Int16(POLLOUT) != 0 { wantsWrite = pipeline.readAvailable() }
        }
        return outcomes
    }

    private func label(_ outcome: Result<PostgresRows, PostgresError>) throws -> String? {
        try outcome.get().first?.string(0)
    }

    @Test func aBatchOfStatementsCompletesInOrderWithEachItsRows() throws {
        let ids = (1...50).shuffled()
        let outcomes = try run(ids.map { (tag: $0, sql: "SELECT label FROM items WHERE id = $1", parameters: [.int(Int64($0))]) })
        #expect(outcomes.list.map(\.tag) == ids)
        for (tag, result) in outcomes.list { #expect(try label(result) == "item \(tag)") }
        #expect(pipeline.pendingCount == 0)
        // The statement was prepared once: the second batch runs it by name, and still answers.
        let again = try run([(tag: 7, sql: "SELECT label FROM items WHERE id = $1", parameters: [.int(7)])])
        #expect(try again.list.map { try label($0.result) } == ["item 7"])
        let prepared = try other.query("SELECT count(*) FROM pg_prepared_statements")[0].int(0)
        #expect(prepared == 0, "prepared statements belong to the pipeline's session, not to others")
    }

    @Test func aFailedStatementFailsAloneAndTheRestOfItsBatchIsReportedNotRun() throws {
        let outcomes = try run([
            (tag: 1, sql: "SELECT label FROM items WHERE id = $1", parameters: [.int(1)]),
            (tag: 2, sql: "SELECT 1 / $1::int", parameters: [.int(0)]),
            (tag: 3, sql: "SELECT label FROM items WHERE id = $1", parameters: [.int(3)]),
        ])
        #expect(outcomes.list.map(\.tag) == [1, 2, 3])
        #expect(try label(outcomes.list[0].result) == "item 1")
        guard case .failure(let division) = outcomes.list[1].result, case .failure(let notRun) = outcomes.list[2].result else {
            Issue.record("expected the second and third statements to fail")
            return
        }
        #expect(division.sqlState == "22012")
        #expect(notRun.code == .pipelineAborted)
        #expect(notRun.isRetriable)
        // The next batch starts afresh after the sync point.
        let next = try run([(tag: 4, sql: "SELECT label FROM items WHERE id = $1", parameters: [.int(4)])])
        #expect(try next.list.map { try label($0.result) } == ["item 4"])
    }

    @Test func theSessionIsReadOnly() throws {
        let outcomes = try run([(tag: 1, sql: "INSERT INTO items VALUES ($1, 'new')", parameters: [.int(1000)])])
        guard case .failure(let error) = outcomes.list.first?.result else {
            Issue.record("a write on the pipeline must fail")
            return
        }
        #expect(error.sqlState == "25006")
        #expect(try other.query("SELECT count(*) FROM items WHERE id = 1000")[0].int(0) == 0)
    }

    @Test func aLostConnectionReportsEveryWaitingStatementAsNotRunAndRefusesMore() throws {
        let pid = try run([(tag: 0, sql: "SELECT pg_backend_pid()", parameters: [])]).list[0].result.get()[0].int(0)
        try other.execute("SELECT pg_terminate_backend($1::int)", [.int(Int64(pid))])
        try waitUntil(timeout: .seconds(10), "the terminated backend is gone") {
            try other.query("SELECT count(*) FROM pg_stat_activity WHERE pid = $1", [.int(Int64(pid))])[0].int(0) == 0
        }
        let outcomes = try run((1...3).map { (tag: $0, sql: "SELECT label FROM items WHERE id = $1", parameters: [.int(Int64($0))]) })
        #expect(outcomes.list.map(\.tag) == [1, 2, 3])
        for (_, result) in outcomes.list {
            guard case .failure(let error) = result else {
                Issue.record("a statement completed on a terminated session")
                continue
            }
            // Either way the caller knows the statement did not run and may run it elsewhere.
            #expect(error.code == .connectionLost || error.code == .pipelineAborted, "\(error)")
            #expect(error.isRetriable)
        }
        // The end of the session is seen by the next read at the latest.
        let deadline = ContinuousClock.now + .seconds(10)
        while pipeline.failure == nil, ContinuousClock.now < deadline {
            var descriptor = pollfd(fd: pipeline.socket, events: Int16(POLLIN), revents: 0)
            if poll(&descriptor, 1, 200) > 0 { _ = pipeline.readAvailable() }
        }
        #expect(pipeline.failure?.code == .connectionLost)
        #expect(throws: PostgresError.self) { try pipeline.send("SELECT 1", []) { _ in } }
    }
}
