import Foundation
import Testing
@testable import TradingCore

struct TelemetryDecoderTests {
    private let now = TelemetryTimestamp(rfc3339: "2026-11-23T10:00:00Z")!
    private let plant = "8c2c37ff-79f6-40ba-b98d-a2bfedecc0a3"

    private func decode(_ text: String) -> TelemetryDelivery<TelemetrySample> {
        TelemetryDecoder.decode(Array(text.utf8), now: now)
    }

    private func firstRejection(_ text: String) -> TelemetryRejection? {
        let delivery = decode(text)
        return delivery.wholeRejection ?? delivery.rejectedElements.first?.rejection
    }

    @Test func decodesOneFullSample() throws {
        let delivery = decode("""
            {"plant_id":"\(plant)","time":"2026-11-23T09:59:00.5Z","consumption":1.5,"fve_power":-2,
             "fve_reg":3e2,"grid_power":0,"invertor_power":4.25,"soc":100,"extra":{"ignored":[1,2]}}
            """)
        #expect(delivery.wholeRejection == nil)
        #expect(!delivery.isArray)
        let sample = try #require(delivery.acceptedItems.first)
        #expect(sample.plantID == UUID(uuidString: plant))
        #expect(sample.time == TelemetryTimestamp(rfc3339: "2026-11-23T09:59:00.5Z"))
        #expect(sample.values == [1.5, -2, 300, 0, 4.25, 100])
    }

    @Test func absentAndNullFieldsAreNil() throws {
        let sample = try #require(decode(#"{"plant_id":"\#(plant)","time":"2026-11-23T09:59:00Z","soc":null,"grid_power":7}"#).acceptedItems.first)
        #expect(sample[.soc] == nil)
        #expect(sample[.gridPower] == 7)
        #expect(sample[.consumption] == nil)
    }

    @Test(arguments: [
        (#"{"time":"2026-11-23T09:59:00Z"}"#, TelemetryRejection.Kind.missingField, "missing plant_id"),
        (#"{"plant_id":"nope","time":"2026-11-23T09:59:00Z"}"#, .invalidField, "plant_id \"nope\" is not a UUID"),
        (#"{"plant_id":12,"time":"2026-11-23T09:59:00Z"}"#, .invalidField, "plant_id must be a UUID string, got a number"),
        (#"{"plant_id":"PLANT"}"#, .missingField, "missing time"),
        (#"{"plant_id":"PLANT","time":"yesterday"}"#, .invalidField, "time \"yesterday\" is not an RFC 3339 date-time such as 2026-01-31T12:00:00Z"),
        (#"{"plant_id":"PLANT","time":1700000000}"#, .invalidField, "time must be an RFC 3339 string, got a number"),
        (#"{"plant_id":"PLANT","time":"2026-11-23T09:59:00Z","soc":100.5}"#, .outOfRange, "soc 100.5 is outside 0-100"),
        (#"{"plant_id":"PLANT","time":"2026-11-23T09:59:00Z","soc":-1}"#, .outOfRange, "soc -1 is outside 0-100"),
        (#"{"plant_id":"PLANT","time":"2026-11-23T09:59:00Z","fve_power":"12"}"#, .invalidField, "fve_power must be a number, got a string"),
        (#"{"plant_id":"PLANT","time":"2026-11-23T09:59:00Z","grid_power":true}"#, .invalidField, "grid_power must be a number, got a boolean"),
        (#"{"plant_id":"PLANT","time":"2026-11-23T09:59:00Z","consumption":NaN}"#, .nonFinite, "consumption is not a finite number"),
        (#"{"plant_id":"PLANT","time":"2026-11-23T09:59:00Z","consumption":-Infinity}"#, .nonFinite, "consumption is not a finite number"),
        (#"{"plant_id":"PLANT","time":"2026-11-23T09:59:00Z","consumption":1e999}"#, .nonFinite, "consumption is not a finite number"),
        (#"{"plant_id":"PLANT","time":"2026-11-23T10:05:00.000001Z"}"#, .futureTime, "time 2026-11-23T10:05:00.000001Z is more than 300 s in the future"),
        (#"{"soc":1,"soc":2}"#, .malformed, "malformed JSON at byte 9: duplicate member \"soc\""),
        (#"{"a":1,}"#, .malformed, "malformed JSON at byte 7: expected a member name in double quotes"),
        (#"[]"#, .malformed, "body is an empty array"),
        (#"42"#, .malformed, "body must be a JSON object or an array of objects, got a number"),
        (#""#, .malformed, "malformed JSON at byte 0: expected a value"),
        (#"{} x"#, .malformed, "malformed JSON at byte 3: expected end of input"),
    ])
    func rejectsWithPreciseReason(body: String, kind: TelemetryRejection.Kind, message: String) throws {
        let rejection = try #require(firstRejection(body.replacingOccurrences(of: "PLANT", with: plant)))
        #expect(rejection.kind == kind)
        #expect(rejection.message == message)
    }

    @Test func reportsEveryViolationOfAnElement() throws {
        let rejection = try #require(firstRejection(#"{"plant_id":"x","soc":200,"fve_power":"a"}"#))
        #expect(rejection.message == #"plant_id "x" is not a UUID; missing time; fve_power must be a number, got a string; soc 200 is outside 0-100"#)
    }

    @Test func exactlyAtTheFutureLimitIsAccepted() {
        #expect(firstRejection(#"{"plant_id":"\#(plant)","time":"2026-11-23T10:05:00Z"}"#) == nil)
    }

    @Test func arrayIsDecodedElementByElementWithByteRanges() throws {
        let body = """
            [ {"plant_id":"\(plant)","time":"2026-11-23T09:00:00Z","soc":10},
              {"plant_id":"\(plant)","time":"2026-11-23T09:00:01Z","soc":101},
              "text",
              {"plant_id":"\(plant)","time":"2026-11-23T09:00:02Z","soc":30} ]
            """
        let bytes = Array(body.utf8)
        let delivery = TelemetryDecoder.decode(bytes, now: now)
        #expect(delivery.isArray)
        #expect(delivery.acceptedItems.map { $0[.soc] } == [10, 30])
        let rejected = delivery.rejectedElements
        #expect(rejected.map(\.element.index) == [1, 2])
        #expect(rejected.map(\.rejection.kind) == [.outOfRange, .malformed])
        let secondText = String(decoding: bytes[rejected[0].element.range], as: UTF8.self)
        #expect(secondText == #"{"plant_id":"\#(plant)","time":"2026-11-23T09:00:01Z","soc":101}"#)
        #expect(String(decoding: bytes[rejected[1].element.range], as: UTF8.self) == #""text""#)
    }

    @Test func meterReadingsRequireMeterAndEnergy() throws {
        let ok = MeterReadingDecoder.decode(Array(#"[{"plant_id":"\#(plant)","meter_id":"m-1","time":"2026-11-23T09:00:00Z","energy":-0.5}]"#.utf8), now: now)
        #expect(ok.acceptedItems == [MeterReading(plantID: UUID(uuidString: plant)!, meterID: "m-1", time: TelemetryTimestamp(rfc3339: "2026-11-23T09:00:00Z")!, energy: -0.5)])
        let bad = MeterReadingDecoder.decode(Array(#"{"plant_id":"\#(plant)","meter_id":"","time":"2026-11-23T09:00:00Z"}"#.utf8), now: now)
        #expect(bad.rejectedElements.first?.rejection.message == "meter_id must be 1 to 128 bytes long; missing energy")
    }

    @Test func stringEscapesAreDecoded() throws {
        let value = try TelemetryJSONParser.parseValue(Array(#"{"a":"x\"\\\/\n\u00e9\ud83d\ude00"}"#.utf8))
        #expect(value == .object(["a": .string("x\"\\/\né😀")]))
        #expect(throws: TelemetryJSONSyntaxError.self) { try TelemetryJSONParser.parseValue(Array(#""\ud83d""#.utf8)) }
        #expect(throws: TelemetryJSONSyntaxError.self) { try TelemetryJSONParser.parseValue(Array("\"a\u{01}\"".utf8)) }
        #expect(throws: TelemetryJSONSyntaxError.self) { try TelemetryJSONParser.parseValue(Array("01".utf8)) }
        #expect(throws: TelemetryJSONSyntaxError.self) { try TelemetryJSONParser.parseValue(Array(String(repeating: "[", count: 40).utf8)) }
    }

    /// Numbers read back exactly as Swift printed them (shortest round-trip text), including
    /// exponents; Foundation's `JSONSerialization` is off by an ulp on some of these.
    @Test func readsNumbersExactly() throws {
        for _ in 0..<500 {
            let number = Double.random(in: -1e6...1e6) * (Bool.random() ? 1 : 1e-300)
            let ours = try TelemetryJSONParser.parseValue(Array("{\"v\":\(number)}".utf8))
            #expect(ours == .object(["v": .number(number)]))
        }
    }
}

struct TelemetryNumberParsingTests {
    /// Short decimals take a fast path; it must agree with Swift's correctly rounded reader.
    @Test func shortDecimalsAgreeWithDoubleInit() throws {
        for _ in 0..<5000 {
            let integer = Int64.random(in: 0..<1_000_000_000)
            let fraction = String(Int64.random(in: 0..<1_000_000)).prefix(Int.random(in: 0...6))
            let text = (Bool.random() ? "-" : "") + String(integer) + (fraction.isEmpty ? "" : "." + fraction)
            let value = try TelemetryJSONParser.parseValue(Array(text.utf8))
            #expect(value == .number(Double(text)!), "\(text)")
        }
        for text in ["0", "-0", "0.1", "0.30000000000000004", "123456789012345.6", "1.0000000000000000000001", "9007199254740993",
                     "0.0000000000000000000001", "1e3", "1.5E-7"] {
            let value = try TelemetryJSONParser.parseValue(Array(text.utf8))
            #expect(value == .number(Double(text)!), "\(text)")
            if case .number(let number) = value { #expect(number.sign == Double(text)!.sign) }
        }
    }
}

struct TelemetryUUIDParsingTests {
    @Test func agreesWithFoundation() {
        for _ in 0..<500 {
            let uuid = UUID()
            #expect(parseTelemetryUUID(uuid.uuidString) == uuid)
            #expect(parseTelemetryUUID(uuid.uuidString.lowercased()) == uuid)
        }
        for bad in ["", "8c2c37ff-79f6-40ba-b98d-a2bfedecc0a", "8c2c37ff-79f6-40ba-b98d-a2bfedecc0a3x", "8c2c37ff079f6-40ba-b98d-a2bfedecc0a3",
                    "8c2c37ff-79f6-40ba-b98d-a2bfedecc0ag", "{8c2c37ff-79f6-40ba-b98d-a2bfedecc0a3}"] {
            #expect(parseTelemetryUUID(bad) == nil)
            #expect(UUID(uuidString: bad) == nil)
        }
    }
}
