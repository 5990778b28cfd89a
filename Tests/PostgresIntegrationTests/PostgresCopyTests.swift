import Foundation
import Postgres
import TestSupport
import Testing

@Suite struct PostgresCopyTests {
    let connection: PostgresConnection

    init() throws {
        connection = try PostgresConnection(url: try TestDatabase.fresh(migrated: false))
        try connection.execute("CREATE TABLE loaded (id int8 PRIMARY KEY, label text, at timestamptz, tags text[], v float8)")
    }

    @Test func copyLoadsEveryRowWithEscapesAndNulls() throws {
        let awkward = "tab\there\nnew line\\back\rcr ✓"
        var rows: [[PostgresValue]] = []
        for index in 0..<20_000 {
            let label: PostgresValue = index == 7 ? .text(awkward) : index % 5 == 0 ? .null : .text("row \(index)")
            let value: PostgresValue = index % 3 == 0 ? .null : .double(Double(index) / 8)
            let at = PostgresValue.timestamptz(Date(timeIntervalSince1970: Double(index)))
            rows.append([.int(Int64(index)), label, at, .textArray(["a,b", nil, "\"q\""]), value])
        }
        let copied = try connection.copyFrom("COPY loaded (id, label, at, tags, v) FROM STDIN", rows: rows)
        #expect(copied == 20_000)
        let summary = try connection.query(
            "SELECT count(*), count(label), sum(v), max(at), (SELECT label FROM loaded WHERE id = 7), "
                + "(SELECT tags FROM loaded WHERE id = 1) FROM loaded")[0]
        #expect(try summary.int(0) == 20_000)
        #expect(try summary.int(1) == (0..<20_000).filter { $0 % 5 != 0 }.count)
        let expectedSum = (0..<20_000).filter { $0 % 3 != 0 }.map { Double($0) / 8 }.reduce(0, +)
        #expect(try summary.double(2) == expectedSum)
        #expect(try summary.date(3) == Date(timeIntervalSince1970: 19_999))
        #expect(try summary.string(4) == awkward)
        #expect(try summary.stringArray(5) == ["a,b", nil, "\"q\""])
    }

    @Test func failingCopyLeavesNothingAndTheConnectionUsable() throws {
        let rows: [[PostgresValue]] = [[1, "a", nil, nil, nil], [1, "duplicate", nil, nil, nil]]
        let error = try #require(throws: PostgresError.self) {
            try connection.copyFrom("COPY loaded (id, label, at, tags, v) FROM STDIN", rows: rows)
        }
        #expect(error.sqlState == "23505")
        #expect(try connection.query("SELECT count(*) FROM loaded")[0].int(0) == 0)
        let bad: [[PostgresValue]] = [[2, .text("nul \u{0} inside"), nil, nil, nil]]
        #expect(throws: PostgresError.self) { try connection.copyFrom("COPY loaded (id, label, at, tags, v) FROM STDIN", rows: bad) }
        #expect(try connection.query("SELECT count(*) FROM loaded")[0].int(0) == 0)
        #expect(connection.isHealthy)
    }

    @Test func copyStatementSentThroughQueryIsRefusedCleanly() throws {
        #expect(throws: PostgresError.self) { try connection.query("COPY loaded (id) FROM STDIN") }
        #expect(try connection.query("SELECT 1")[0].int(0) == 1)
    }
}
