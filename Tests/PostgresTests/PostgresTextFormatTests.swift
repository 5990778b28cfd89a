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

    @Test func arrayLiteralRoundTripsThroughItsParser() {
        let values: [String?] = ["", " ", "a,b", "{}", "\"", "\\", "NULL", nil, "null", "multi\nline"]
        #expect(PostgresTextFormat.parseArrayLiteral(PostgresTextFormat.arrayLiteral(values)) == values)
    }

    @Test func formatsTimestampsInUTCWithMicroseconds() throws {
        #expect(try PostgresTextFormat.timestamp(Date(timeIntervalSince1970: 0)) == "1970-01-01T00:00:00.000000Z")
        #expect(try PostgresTextFormat.timestamp(Date(timeIntervalSince1970: -0.000001)) == "1969-12-31T23:59:59.999999Z")
        #expect(try PostgresTextFormat.timestamp(Date(timeIntervalSince1970: 951_782_400.25)) == "2000-02-29T00:00:00.250000Z")
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

    @Test func copyRowsEscapeTheirSeparators() throws {
        var buffer: [UInt8] = []
        try PostgresConnection.appendCopyRow([.text("a\tb\nc\\d\re"), .null, .int(-3)], to: &buffer)
        #expect(String(decoding: buffer, as: UTF8.self) == "a\\tb\\nc\\\\d\\re\t\\N\t-3\n")
    }
}
