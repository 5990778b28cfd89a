import Foundation
import Testing

@testable import Postgres

/// The text-format codecs on their own, without a server.
struct PostgresTextFormatTests {
    @Test(arguments: [
        ("{}", [] as [String?]),
        ("{a,b}", ["a", "b"]),
        (#"{"a,b",NULL,"NULL","",x}"#, ["a,b", nil, "NULL", "", "x"]),
        (#"{"q\"uote","back\\slash"}"#, ["q\"uote", "back\\slash"]),
        ("{ü,✓}", ["ü", "✓"]),
    ])
    func parsesArrayLiterals(text: String, expected: [String?]) {
        #expect(PostgresTextFormat.parseArrayLiteral(text) == expected)
    }

    @Test(arguments: ["{{1,2},{3,4}}", "[0:1]={a,b}", "{a", "{\"a}", "{a,}", ""])
    func refusesArraysItCannotRepresent(text: String) {
        #expect(PostgresTextFormat.parseArrayLiteral(text) == nil)
    }

    @Test func arrayLiteralRoundTripsThroughItsParser() throws {
        let values: [String?] = ["", " ", "a,b", "{}", "\"", "\\", "NULL", nil, "null", "multi\nline"]
        #expect(PostgresTextFormat.parseArrayLiteral(try PostgresTextFormat.arrayLiteral(values)) == values)
    }

    @Test func formatsTimestampsInUTCWithMicroseconds() throws {
        #expect(try PostgresValue.timestamptz(Date(timeIntervalSince1970: 0)).textFormat() == "1970-01-01T00:00:00.000000Z")
        #expect(try PostgresValue.timestamptz(Date(timeIntervalSince1970: -0.000001)).textFormat() == "1969-12-31T23:59:59.999999Z")
        #expect(try PostgresValue.timestamptz(Date(timeIntervalSince1970: 951_782_400.25)).textFormat() == "2000-02-29T00:00:00.250000Z")
    }

    @Test func parsesTimestampsWithOffsets() {
        let utc = PostgresTextFormat.parseTimestamp("2000-02-29 00:00:00.25+00")
        #expect(utc == Date(timeIntervalSince1970: 951_782_400.25))
        #expect(PostgresTextFormat.parseTimestamp("2000-02-29 05:30:00.25+05:30") == utc)
        #expect(PostgresTextFormat.parseTimestamp("1999-12-31 23:00:00-01") == Date(timeIntervalSince1970: 946_684_800))
        #expect(PostgresTextFormat.parseTimestamp("infinity") == nil)
        #expect(PostgresTextFormat.parseTimestamp("2000-02-29 00:00:00.1234567+00") == nil)
    }

    @Test func decimalsBeyondThirtyEightDigitsAreRefused() {
        #expect(PostgresTextFormat.parseDecimal("12345678901234567890.123456789") == Decimal(string: "12345678901234567890.123456789"))
        #expect(PostgresTextFormat.parseDecimal("0.000000000000000000000000000000000000000001") != nil)
        #expect(PostgresTextFormat.parseDecimal("1234567890123456789012345678901234567890") == nil)
        #expect(PostgresTextFormat.parseDecimal("1.5e3") == nil)
    }

    @Test func scalarsEncodeAsThePostgreSQLTextFormat() throws {
        #expect(try PostgresValue.text("a\\b\"c").textFormat() == "a\\b\"c", "no escaping outside arrays")
        #expect(try PostgresValue.uuid(UUID(uuidString: "6F9619FF-8B86-D011-B42D-00CF4FC964FF")!).textFormat()
            == "6f9619ff-8b86-d011-b42d-00cf4fc964ff")
        #expect(try PostgresValue.bytea([0, 0xAB, 0xFF]).textFormat() == "\\x00abff")
        #expect(try PostgresValue.int(Int64.min).textFormat() == "-9223372036854775808")
        #expect(try PostgresValue.doubleArray([1.5, nil, .infinity]).textFormat() == "{1.5,NULL,Infinity}")
        #expect(try PostgresValue.boolArray([true, false]).textFormat() == "{t,f}")
        #expect(try PostgresValue.interval(seconds: -900).textFormat() == "-900 seconds")
        #expect(try PostgresValue.null.textFormat() == nil)
        #expect(throws: PostgresError.self) { try PostgresValue.timestamptz(Date(timeIntervalSince1970: -1e12)).textFormat() }
    }

    @Test func copyRowsEscapeTheirSeparators() throws {
        var buffer: [UInt8] = []
        try PostgresConnection.appendCopyRow([.text("a\tb\nc\\d\re"), .null, .int(-3)], to: &buffer)
        #expect(String(decoding: buffer, as: UTF8.self) == "a\\tb\\nc\\\\d\\re\t\\N\t-3\n")
    }
}
