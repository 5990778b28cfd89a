import Testing
import TradingCore

/// Values PostgreSQL would refuse are refused per element by the decoder (docs/RELIABILITY.md,
/// items 2 and 13).
struct TelemetryBoundsTests {
    private let plant = "6f1c2a5e-0000-4000-8000-000000000001"
    private let now = TelemetryTimestamp(rfc3339: "2026-03-10T12:00:00Z")!

    private func element(_ time: String, power: String = "1") -> String {
        #"{"plant_id":"\#(plant)","time":"\#(time)","fve_power":\#(power)}"#
    }

    @Test func hugeMagnitudesAndYearZeroAreRefusedAndTheirNeighboursKept() {
        let body = "[" + [element("2026-03-10T11:59:00Z"), element("2026-03-10T11:59:01Z", power: "1.7e308"),
                          element("0000-01-01T00:00:00Z"), element("1969-12-31T23:59:59Z"),
                          element("2026-03-10T11:59:02Z", power: "-1e16"), element("2026-03-10T11:59:03Z", power: "1e15")]
            .joined(separator: ",") + "]"
        let delivery = TelemetryDecoder.decode(Array(body.utf8), now: now)
        #expect(delivery.acceptedItems.count == 2)
        let kinds = delivery.elements.compactMap { element -> TelemetryRejection.Kind? in
            if case .failure(let rejection) = element.outcome { return rejection.kind }
            return nil
        }
        #expect(kinds == [.outOfRange, .outOfRange, .outOfRange, .outOfRange])
    }

    @Test func theRawRetentionBoundIsMidnightOfTheFirstKeptDay() {
        var rules = TelemetryValidationRules.standard
        rules.rawRetentionDays = 30
        #expect(rules.oldestKept(now: now)?.rfc3339.hasPrefix("2026-02-08T00:00:00") == true)
        let body = "[" + [element("2026-02-08T00:00:00Z"), element("2026-02-07T23:59:59Z")].joined(separator: ",") + "]"
        let delivery = TelemetryDecoder.decode(Array(body.utf8), now: now, rules: rules)
        #expect(delivery.acceptedItems.count == 1)
        guard case .failure(let rejection) = delivery.elements[1].outcome else {
            Issue.record("the older sample was accepted")
            return
        }
        #expect(rejection.kind == .tooOld)
        #expect(TelemetryValidationRules.standard.oldestKept(now: now) == nil)
    }

    @Test func meterEnergyHasTheSameBounds() {
        let body = #"[{"plant_id":"\#(plant)","meter_id":"m","time":"2026-03-10T11:00:00Z","energy":1e300},"#
            + #"{"plant_id":"\#(plant)","meter_id":"m","time":"2026-03-10T11:00:00Z","energy":42}]"#
        #expect(MeterReadingDecoder.decode(Array(body.utf8), now: now).acceptedItems.count == 1)
    }
}

/// Caps on one delivery (docs/RELIABILITY.md, item 14): refused whole, with the numbers.
struct TelemetryDeliveryCapTests {
    private let now = TelemetryTimestamp(rfc3339: "2026-03-10T12:00:00Z")!
    private let element = #"{"plant_id":"6f1c2a5e-0000-4000-8000-000000000001","time":"2026-03-10T11:59:00Z","soc":5}"#

    @Test func anArrayOverTheElementCapIsRefusedWhole() {
        var rules = TelemetryValidationRules.standard
        rules.maximumElements = 3
        let four = "[" + Array(repeating: element, count: 4).joined(separator: ",") + "]"
        let refused = TelemetryDecoder.decode(Array(four.utf8), now: now, rules: rules)
        #expect(refused.wholeRejection?.kind == .tooLarge)
        #expect(refused.wholeRejection?.message == "the array has 4 elements; at most 3 are accepted per delivery")
        let three = "[" + Array(repeating: element, count: 3).joined(separator: ",") + "]"
        #expect(TelemetryDecoder.decode(Array(three.utf8), now: now, rules: rules).acceptedItems.count == 3)
    }

    @Test func aBodyOverTheByteCapIsRefusedBeforeItIsParsed() {
        var rules = TelemetryValidationRules.standard
        rules.maximumDeliveryBytes = 64
        let refused = TelemetryDecoder.decode(Array(("[" + element + "," + "{not json at all").utf8), now: now, rules: rules)
        #expect(refused.wholeRejection?.kind == .tooLarge, "refused for its size, not parsed as malformed")
        #expect(TelemetryValidationRules.standard.maximumDeliveryBytes == 4 << 20)
        #expect(TelemetryValidationRules.standard.maximumElements == 10_000)
    }
}
