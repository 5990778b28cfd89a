import Foundation
import Postgres
import TestSupport
import Testing

/// Every supported type sent as a parameter, stored, read back and compared; where possible the
/// server also compares the parameter with an independently written literal.
@Suite struct PostgresValueRoundTripTests {
    let connection: PostgresConnection

    init() throws {
        connection = try PostgresConnection(url: try TestDatabase.fresh(migrated: false))
    }

    @Test func everyScalarTypeRoundTripsThroughATable() throws {
        try connection.execute(
            """
            CREATE TABLE everything (
                t text, i int8, d float8, n numeric, u uuid, ts timestamptz, b bool, j jsonb, by bytea
            )
            """)
        let id = UUID()
        let date = Date(timeIntervalSince1970: 1_709_251_199.999_999)
        let decimal = Decimal(string: "12345678901234567890.123456789")!
        let json = #"{"a": [1, 2.5, "x"], "b": null}"#
        let bytes: [UInt8] = [0, 1, 2, 0x7F, 0x80, 0xFE, 0xFF]
        try connection.execute(
            "INSERT INTO everything VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            [.text("héllo, \"wörld\" \\ ✓"), .int(Int64.min), .double(-1.25e-300), .decimal(decimal), .uuid(id),
             .timestamptz(date), .bool(true), .jsonb(json), .bytea(bytes)])
        try connection.execute(
            "INSERT INTO everything VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            [nil, nil, nil, nil, nil, nil, nil, nil, nil])

        let rows = try connection.query("SELECT * FROM everything ORDER BY t NULLS LAST")
        #expect(rows.count == 2)
        let row = rows[0]
        #expect(try row.string("t") == "héllo, \"wörld\" \\ ✓")
        #expect(try row.int("i") == Int.min)
        #expect(try row.double("d") == -1.25e-300)
        #expect(try row.decimal("n") == decimal)
        #expect(try row.uuid("u") == id)
        #expect(try row.date("ts") == date)
        #expect(try row.bool("b") == true)
        let decoded = try JSONSerialization.jsonObject(with: try row.json("j")) as? [String: Any]
        #expect(decoded?["a"] as? [Any] != nil)
        #expect(try row.bytes("by") == bytes)

        let nulls = rows[1]
        for column in 0..<9 { #expect(try nulls.isNull(column)) }
        #expect(try nulls.optionalString("t") == nil)
        #expect(try nulls.optionalInt("i") == nil)
        #expect(try nulls.optionalDouble("d") == nil)
        #expect(try nulls.optionalDecimal("n") == nil)
        #expect(try nulls.optionalUUID("u") == nil)
        #expect(try nulls.optionalDate("ts") == nil)
        #expect(try nulls.optionalBool("b") == nil)
        #expect(try nulls.optionalJSON("j") == nil)
        #expect(try nulls.optionalBytes("by") == nil)
        #expect(throws: PostgresError.self) { try nulls.string("t") }
    }

    @Test func numericKeepsEveryDigit() throws {
        let text = "12345678901234567890.123456789"
        let row = try connection.query(
            "SELECT $1::numeric = '12345678901234567890.123456789'::numeric, '-0.000000000000000000000000000001'::numeric, $1",
            [.decimal(Decimal(string: text)!)])[0]
        #expect(try row.bool(0), "the server saw exactly the digits sent")
        #expect(try row.decimal(1) == Decimal(string: "-0.000000000000000000000000000001"))
        #expect(try row.decimal(2).description == text)
    }

    @Test func numericBeyondDecimalPrecisionIsRefusedNotRounded() throws {
        let row = try connection.query("SELECT '1234567890123456789012345678901234567890.5'::numeric")[0]
        #expect(throws: PostgresError.self) { try row.decimal(0) }
    }

    @Test(arguments: [
        ("2024-02-29 23:59:59.999999+00", 1_709_251_199_999_999 as Int64),
        ("1970-01-01 00:00:00+00", 0),
        ("1969-12-31 23:59:59.000001+00", -999_999),
        ("0001-01-01 00:00:00+00", -62_135_596_800_000_000),
        // Far from 2001 a Date (a Double) no longer resolves microseconds: whole seconds there.
        ("9999-12-31 23:59:59+00", 253_402_300_799_000_000),
        ("2026-11-23 10:00:00.5+05:30", 1_795_408_200_500_000),
    ])
    func timestamptzKeepsMicroseconds(literal: String, microsecondsSince1970: Int64) throws {
        // The expected instant comes from the literal, parsed by the server, and the epoch count.
        let row = try connection.query(
            "SELECT $1::timestamptz, ($2::timestamptz = $1::timestamptz), "
                + "(extract(epoch FROM $1::timestamptz) * 1000000)::int8",
            [.text(literal), .timestamptz(Date(timeIntervalSince1970: Double(microsecondsSince1970) / 1e6))])[0]
        #expect(try row.int(2) == Int(microsecondsSince1970))
        #expect(try row.bool(1), "the Date sent is the same microsecond")
        let decoded = try row.date(0)
        #expect((decoded.timeIntervalSince1970 * 1e6).rounded() == Double(microsecondsSince1970))
    }

    @Test(arguments: [(900 as Int64, "15 minutes"), (86_400, "24 hours"), (-61, "-1 minute -1 second"), (0, "0")])
    func intervalArrivesTypedAndExact(seconds: Int64, literal: String) throws {
        // Typed on the wire: the server needs no cast, and the value equals the literal it parses.
        let row = try connection.query("SELECT pg_typeof($1)::text, $1 = $2::interval, extract(epoch FROM $1)::int8",
                                       [.interval(seconds: seconds), .text(literal)])[0]
        #expect(try row.string(0) == "interval")
        #expect(try row.bool(1))
        #expect(try row.int(2) == Int(seconds))
        guard seconds > 0 else { return }
        let bucket = try connection.query(
            "SELECT date_bin($1, $3, timestamptz 'epoch') = date_bin($2::interval, $3, timestamptz 'epoch')",
            [.interval(seconds: seconds), .text(literal), .timestamptz(Date(timeIntervalSince1970: 1_796_292_420))])[0]
        #expect(try bucket.bool(0), "buckets of the same width")
    }

    @Test func doublesKeepTheirBitsAndSpecialValues() throws {
        let values: [Double] = [0.1, -0.0, .pi, 1e308, .leastNonzeroMagnitude, .infinity, -.infinity]
        for value in values {
            let row = try connection.query("SELECT $1::float8, $1::float8::text", [.double(value)])[0]
            #expect(try row.double(0).bitPattern == value.bitPattern)
        }
        #expect(try connection.query("SELECT $1::float8", [.double(.nan)])[0].double(0).isNaN)
    }

    @Test func arraysKeepNullElementsAndAwkwardText() throws {
        let texts: [String?] = ["a,b", "quote\"d", "back\\slash", "{braces}", "NULL", "", " spaced ", nil, "ünï©ødé ✓", "tab\tnew\nline"]
        let ids: [UUID?] = [UUID(), nil, UUID()]
        let dates: [Date?] = [Date(timeIntervalSince1970: 1.000001), nil, Date(timeIntervalSince1970: -86_400.5)]
        let doubles: [Double?] = [1.5, nil, -2.25, .infinity]
        let ints: [Int64?] = [Int64.max, nil, Int64.min, 0]
        let decimals: [Decimal?] = [Decimal(string: "0.1")!, nil]
        let bools: [Bool?] = [true, nil, false]
        let row = try connection.query(
            "SELECT $1::text[], $2::uuid[], $3::timestamptz[], $4::float8[], $5::int8[], $6::numeric[], $7::bool[], "
                + "array_length($1, 1), $1[5] IS NULL, $1[8] IS NULL, $1[1], $1[3], $1[9]",
            [.textArray(texts), .uuidArray(ids), .timestamptzArray(dates), .doubleArray(doubles), .intArray(ints),
             .decimalArray(decimals), .boolArray(bools)])[0]
        #expect(try row.stringArray(0) == texts)
        #expect(try row.uuidArray(1) == ids)
        #expect(try row.dateArray(2) == dates)
        #expect(try row.doubleArray(3) == doubles)
        #expect(try row.intArray(4) == ints.map { $0.map(Int.init) })
        #expect(try row.decimalArray(5) == decimals)
        #expect(try row.boolArray(6) == bools)
        // The server's own view of the elements, independently of the decoder.
        #expect(try row.int(7) == texts.count)
        #expect(try row.bool(8) == false, "the text NULL stays a string")
        #expect(try row.bool(9) == true)
        #expect(try row.string(10) == "a,b")
        #expect(try row.string(11) == "back\\slash")
        #expect(try row.string(12) == "ünï©ødé ✓")
    }

    @Test func batchInsertThroughUnnest() throws {
        try connection.execute("CREATE TABLE samples (plant uuid, at timestamptz, power float8, PRIMARY KEY (plant, at))")
        let plant = UUID()
        let times = (0..<1000).map { Date(timeIntervalSince1970: 1_700_000_000 + Double($0)) }
        let powers: [Double?] = (0..<1000).map { $0 % 7 == 0 ? nil : Double($0) / 4 }
        let inserted = try connection.execute(
            "INSERT INTO samples SELECT * FROM unnest($1::uuid[], $2::timestamptz[], $3::float8[]) ON CONFLICT DO NOTHING",
            [.uuidArray(Array(repeating: plant, count: 1000)), .timestamptzArray(times), .doubleArray(powers)])
        #expect(inserted == 1000)
        let summary = try connection.query("SELECT count(*), count(power), sum(power) FROM samples")[0]
        #expect(try summary.int(0) == 1000)
        #expect(try summary.int(1) == powers.compactMap { $0 }.count)
        #expect(try summary.double(2) == powers.compactMap { $0 }.reduce(0, +))
    }

    @Test func decodingTheWrongTypeNamesTheColumn() throws {
        let row = try connection.query("SELECT 'x'::text AS label, now() AS at")[0]
        let error = try #require(throws: PostgresError.self) { try row.int("label") }
        #expect(error.code == .decoding)
        #expect(error.message.contains("'label'") && error.message.contains("text"))
        #expect(throws: PostgresError.self) { try row.string("at") }
        #expect(throws: PostgresError.self) { try row.string("missing") }
    }

    @Test func textWithNulIsRefusedBeforeSending() throws {
        let error = try #require(throws: PostgresError.self) { try connection.query("SELECT $1", [.text("a\u{0}b")]) }
        #expect(error.code == .invalidParameter)
    }
}
