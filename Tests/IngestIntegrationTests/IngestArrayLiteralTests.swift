import Foundation
@testable import Ingest
import Observability
import Postgres
import Testing
import TestSupport
import TradingCore

/// The hand-written array literals read back by PostgreSQL as the values they encode.
struct IngestArrayLiteralTests {
    @Test func literalsRoundTripThroughPostgreSQL() throws {
        let database = try PostgresConnection(url: try TestDatabase.fresh(migrated: false))
        var times = TelemetryArrayLiteral(reservingElements: 4, bytesPerElement: 27)
        var expectedTimes: [TelemetryTimestamp] = []
        for micros: Int64 in [0, -500_000, -86_400_000_001, 1_795_428_930_123_456, 253_402_300_799_999_999] + (0..<200).map({ _ in Int64.random(in: -5_000_000_000_000_000...5_000_000_000_000_000) }) {
            let time = TelemetryTimestamp(microsecondsSinceEpoch: micros)
            times.append(time)
            expectedTimes.append(time)
        }
        let readTimes = try database.query("SELECT (extract(epoch FROM t) * 1000000)::bigint FROM unnest($1::timestamptz[]) AS t", [.text(times.text)])
        #expect(try readTimes.map { Int64(try $0.int(0)) } == expectedTimes.map(\.microsecondsSinceEpoch))

        let uuids = (0..<50).map { _ in UUID() }
        var uuidLiteral = TelemetryArrayLiteral(reservingElements: 50, bytesPerElement: 36)
        for uuid in uuids { uuidLiteral.append(uuid) }
        #expect(try database.query("SELECT u FROM unnest($1::uuid[]) AS u", [.text(uuidLiteral.text)]).map { try $0.uuid(0) } == uuids)

        let numbers: [Double?] = [nil, 0, -0.0, 1.5, -2.25e-7, 1e300, 123_456_789.123, nil] + (0..<100).map { _ in Double.random(in: -1e9...1e9) }
        var numberLiteral = TelemetryArrayLiteral(reservingElements: numbers.count, bytesPerElement: 8)
        for number in numbers { numberLiteral.append(number) }
        #expect(try database.query("SELECT v FROM unnest($1::float8[]) AS v", [.text(numberLiteral.text)]).map { try $0.optionalDouble(0) } == numbers)

        let texts = ["plain", "with space", "comma,brace}{", "quote\"back\\slash", "NULL", "", "ünï"]
        var textLiteral = TelemetryArrayLiteral(reservingElements: texts.count, bytesPerElement: 8)
        for text in texts { textLiteral.appendQuoted(text) }
        #expect(try database.query("SELECT v FROM unnest($1::text[]) AS v", [.text(textLiteral.text)]).map { try $0.string(0) } == texts)
    }
}
