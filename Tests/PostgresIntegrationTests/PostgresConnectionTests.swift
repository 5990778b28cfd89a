import Foundation
import Postgres
import TestSupport
import Testing

@Suite struct PostgresConnectionTests {
    let url: String
    let connection: PostgresConnection

    init() throws {
        url = try TestDatabase.fresh(migrated: false)
        connection = try PostgresConnection(url: url)
        try connection.execute("CREATE TABLE items (id int8 PRIMARY KEY, label text NOT NULL)")
    }

    private func count() throws -> Int { try connection.query("SELECT count(*) FROM items")[0].int(0) }

    @Test func transactionCommitsWhatTheBodyDid() throws {
        let inserted = try connection.transaction { tx in
            try tx.execute("INSERT INTO items VALUES (1, 'a'), (2, 'b')")
        }
        #expect(inserted == 2)
        #expect(try count() == 2)
        #expect(!connection.isInTransaction)
    }

    @Test func transactionRolledBackOnErrorLeavesNothingBehind() throws {
        struct Stop: Error {}
        #expect(throws: Stop.self) {
            try connection.transaction { tx in
                try tx.execute("INSERT INTO items VALUES (1, 'a')")
                try tx.execute("CREATE TABLE made_inside (x int)")
                throw Stop()
            }
        }
        #expect(try count() == 0)
        let tables = try connection.query("SELECT count(*) FROM pg_tables WHERE tablename = 'made_inside'")
        #expect(try tables[0].int(0) == 0)
        #expect(!connection.isInTransaction)
        #expect(connection.isHealthy)
    }

    @Test func uniqueViolationCarriesItsSQLStateAndConstraint() throws {
        try connection.execute("INSERT INTO items VALUES (1, 'a')")
        let error = try #require(throws: PostgresError.self) {
            try connection.execute("INSERT INTO items VALUES ($1, $2)", [1, "again"])
        }
        #expect(error.sqlState == "23505")
        #expect(error.isUniqueViolation)
        #expect(error.constraintName == "items_pkey")
        #expect(!error.isRetriable)
        #expect(!error.description.contains("items"), "the user-facing text names no table")
        #expect(connection.isHealthy, "a failed statement does not break the connection")
    }

    @Test func swallowedFailureInsideTransactionMakesCommitThrow() throws {
        let error = try #require(throws: PostgresError.self) {
            try connection.transaction { tx in
                try tx.execute("INSERT INTO items VALUES (1, 'a')")
                _ = try? tx.execute("INSERT INTO items VALUES (1, 'duplicate')")
            }
        }
        #expect(error.code == .transactionAborted)
        #expect(try count() == 0)
    }

    @Test func nestedTransactionRollsBackOnlyItsSavepoint() throws {
        struct Stop: Error {}
        try connection.transaction { tx in
            try tx.execute("INSERT INTO items VALUES (1, 'outer')")
            #expect(throws: Stop.self) {
                try tx.transaction { inner in
                    try inner.execute("INSERT INTO items VALUES (2, 'inner')")
                    throw Stop()
                }
            }
            try tx.transaction { inner in try inner.execute("INSERT INTO items VALUES (3, 'kept')") }
        }
        let ids = try connection.query("SELECT id FROM items ORDER BY id").map { try $0.int(0) }
        #expect(ids == [1, 3])
    }

    @Test func serializationFailureIsRetriable() throws {
        // Two serializable transactions that each read what the other writes: one must fail 40001.
        try connection.execute("INSERT INTO items VALUES (1, 'a'), (2, 'b')")
        let other = try PostgresConnection(url: url)
        let error = try #require(throws: PostgresError.self) {
            try connection.transaction(isolation: .serializable) { first in
                _ = try first.query("SELECT sum(id) FROM items")
                try other.transaction(isolation: .serializable) { second in
                    _ = try second.query("SELECT sum(id) FROM items")
                    try second.execute("INSERT INTO items VALUES (3, 'c')")
                }
                try first.execute("INSERT INTO items VALUES (4, 'd')")
            }
        }
        #expect(error.sqlState == "40001")
        #expect(error.isRetriable)
    }

    @Test func statementTimeoutCancelsLongStatements() throws {
        try connection.setStatementTimeout(.milliseconds(50))
        let error = try #require(throws: PostgresError.self) { try connection.query("SELECT pg_sleep(5)") }
        #expect(error.sqlState == "57014")
        try connection.setStatementTimeout(nil)
        #expect(try connection.query("SHOW statement_timeout")[0].string(0) == "0")
    }

    @Test func brokenConnectionIsReportedThenResetWorks() throws {
        let pid = try connection.query("SELECT pg_backend_pid()")[0].int(0)
        let killer = try PostgresConnection(url: url)
        #expect(try killer.query("SELECT pg_terminate_backend($1::int)", [.int(Int64(pid))])[0].bool(0))
        let error = try #require(throws: PostgresError.self) { try connection.query("SELECT 1") }
        #expect(error.isRetriable)
        #expect(!connection.isHealthy)
        try connection.reset()
        #expect(connection.isHealthy)
        #expect(try connection.query("SELECT current_setting('TimeZone')")[0].string(0) == "UTC")
    }

    @Test func connectingWithAWrongPasswordFailsClearly() throws {
        var components = try #require(URLComponents(string: url))
        components.password = "wrong"
        let error = try #require(throws: PostgresError.self) { try PostgresConnection(url: components.string!) }
        #expect(error.code == .connectionFailed)
        #expect(!error.description.contains("wrong"))
        #expect(throws: PostgresError.self) { try PostgresConnection(url: "mysql://nope") }
    }

    @Test func preparedQueriesGiveTheSameAnswersAsUnnamedOnes() throws {
        for id in 1...20 {
            try connection.queryPrepared("INSERT INTO items VALUES ($1, $2)", [.int(Int64(id)), .text("n\(id)")])
        }
        let viaPrepared = try connection.queryPrepared("SELECT label FROM items WHERE id = $1", [7])
        #expect(try viaPrepared[0].string("label") == "n7")
        #expect(try count() == 20)
        // A failing prepared statement leaves the connection usable.
        #expect(throws: PostgresError.self) { try connection.queryPrepared("INSERT INTO items VALUES ($1, $2)", [7, "x"]) }
        #expect(try connection.queryPrepared("SELECT count(*) FROM items")[0].int(0) == 20)
        // Statements dropped behind the cache's back are prepared again.
        try connection.execute("DEALLOCATE ALL")
        #expect(try connection.queryPrepared("SELECT count(*) FROM items")[0].int(0) == 20)
    }

    @Test func identifiersAreQuoted() throws {
        #expect(try PostgresConnection.quoteIdentifier(#"we"ird"#) == #""we""ird""#)
        let name = try PostgresConnection.quoteIdentifier("Mixed Case; DROP TABLE items")
        try connection.execute("CREATE TABLE \(name) (x int)")
        #expect(try count() == 0)
    }
}
