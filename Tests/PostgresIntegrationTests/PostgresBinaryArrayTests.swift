import Foundation
import Postgres
import TestSupport
import Testing

/// Binary array parameters against the same values sent as text: the server must read both the
/// same, NULLs, extremes and empty arrays included.
@Suite struct PostgresBinaryArrayTests {
    let connection: PostgresConnection

    init() throws {
        connection = try PostgresConnection(url: try TestDatabase.fresh(migrated: false))
    }

    /// Whether the server sees `binary` and `text` as equal arrays, and the binary one as text.
    private func compare(_ binary: PostgresValue, _ text: PostgresValue, cast: String) throws -> (equal: Bool, text: String) {
        let row = try connection.query("SELECT $1 = $2::\(cast), $1::text", [binary, text])[0]
        return (try row.bool(0), try row.string(1))
    }

    @Test func float8Elements() throws {
        let values: [Double?] = [0, -0.0, 1.5, nil, -1.25e-300, 1.7976931348623157e308, .pi, nil]
        var array = PostgresBinaryArray(of: .float8)
        for value in values { array.append(value) }
        let result = try compare(array.value, .doubleArray(values), cast: "float8[]")
        #expect(result.equal)
        #expect(try connection.query("SELECT $1::float8[]", [array.value])[0].doubleArray(0) == values)
    }

    @Test func int8Elements() throws {
        let values: [Int64?] = [Int64.min, -1, 0, nil, Int64.max]
        var array = PostgresBinaryArray(of: .int8)
        for value in values { array.append(value) }
        #expect(try compare(array.value, .intArray(values), cast: "int8[]").text == "{-9223372036854775808,-1,0,NULL,9223372036854775807}")
    }

    @Test func uuidElements() throws {
        let values = (0..<5).map { _ in UUID() }
        var array = PostgresBinaryArray(of: .uuid)
        for value in values { array.append(value) }
        let result = try compare(array.value, .uuidArray(values), cast: "uuid[]")
        #expect(result.equal)
        #expect(result.text == "{" + values.map { $0.uuidString.lowercased() }.joined(separator: ",") + "}")
    }

    @Test func timestamptzElementsAreMicrosecondsSinceTheUnixEpoch() throws {
        let micros: [Int64] = [0, 1, -1, 946_684_800_000_000, 1_764_760_935_123_456, -62_135_596_800_000_000]
        var array = PostgresBinaryArray(of: .timestamptz)
        for value in micros { array.append(microsecondsSinceEpoch: value) }
        array.appendNull()
        let rows = try connection.query(
            "SELECT (extract(epoch FROM t) * 1000000)::int8 FROM unnest($1::timestamptz[]) WITH ORDINALITY u(t, n) ORDER BY n", [array.value])
        #expect(try rows.map { try $0.optionalInt(0).map(Int64.init) } == micros + [nil])
    }

    @Test func emptyArrays() throws {
        for element in [PostgresBinaryArray.Element.float8, .int8, .uuid, .timestamptz] {
            let row = try connection.query("SELECT cardinality($1), $1::text", [PostgresBinaryArray(of: element).value])[0]
            #expect(try row.int(0) == 0)
            #expect(try row.string(1) == "{}")
        }
    }

    @Test func binaryAndTextParametersMixInOneStatementAndAPreparedOne() throws {
        var array = PostgresBinaryArray(of: .float8)
        array.append(2.5)
        array.appendNull()
        for _ in 0..<2 {
            let row = try connection.queryPrepared("SELECT $1::text || ':' || $2::text || ':' || $3::text", [.text("a"), array.value, .int(7)])[0]
            #expect(try row.string(0) == "a:{2.5,NULL}:7")
        }
    }
}
