import Testing
import TradingCore

/// The local schedule check (DESIGN §6), rule by rule and against a pairwise oracle.
struct TimeConfigValidationTests {
    private func block(_ from: String, _ to: String, pBat: (Double, Double) = (-5, 5), soc: (Double, Double) = (10, 90))
        -> [String: TimeConfigInput] {
        ["from": .string(from), "to": .string(to), "pBatMin": .number(pBat.0), "pBatMax": .number(pBat.1),
         "socMin": .number(soc.0), "socMax": .number(soc.1)]
    }

    private func violations(_ blocks: [[String: TimeConfigInput]]) -> [TimeConfigViolation] {
        if case .failure(let errors) = TimeConfigValidation.validate(blocks) { return errors.violations }
        return []
    }

    private func pairs(_ blocks: [[String: TimeConfigInput]]) -> [String] {
        violations(blocks).map { "\($0.index.map(String.init) ?? "-"):\($0.field)" }
    }

    @Test func aFullDayIsValid() throws {
        let blocks = [block("00:00", "06:00"), block("06:00", "18:30", pBat: (0, 0), soc: (0, 100)), block("18:30", "24:00")]
        let valid = try TimeConfigValidation.validate(blocks).get()
        #expect(valid.map(\.from) == ["00:00", "06:00", "18:30"])
        #expect(valid.map(\.toMinute) == [360, 1110, 1440])
        #expect(valid[1].pBatMin == 0 && valid[1].socMax == 100)
    }

    @Test func emptyAndGappedSchedulesAreValid() {
        #expect(violations([]).isEmpty)
        #expect(violations([block("01:00", "02:00"), block("05:00", "06:00")]).isEmpty)
    }

    @Test func atMost96Blocks() {
        let quarterHours = (0..<97).map { i in block(TimeConfigValidation.textForTest(i * 15 % 1440), TimeConfigValidation.textForTest(i * 15 % 1440 + 15)) }
        #expect(violations(Array(quarterHours.prefix(96))).isEmpty)
        #expect(pairs(quarterHours).contains("-:timeConfigs"))
    }

    @Test(arguments: ["24:00", "6:00", "06:0", "06-00", "25:00", "12:60", " 06:00", "06:00Z", "", "٠٦:٠٠"])
    func badFromTimes(text: String) {
        #expect(pairs([block(text, "24:00")]).contains("0:from"), "\(text)")
    }

    @Test(arguments: ["24:01", "00:00", "7:00", "24:60", "99:99"])
    func badToTimes(text: String) {
        #expect(pairs([block("00:00", text)]).contains("0:to"), "\(text)")
    }

    @Test func fromMustPrecedeTo() {
        #expect(pairs([block("06:00", "06:00")]) == ["0:to"])
        #expect(pairs([block("07:00", "06:00")]) == ["0:to"])
    }

    @Test func overlapAndOrder() {
        #expect(pairs([block("00:00", "06:00"), block("05:59", "07:00")]) == ["1:from"])
        #expect(pairs([block("06:00", "07:00"), block("00:00", "01:00")]) == ["1:from"])
        let messages = violations([block("06:00", "07:00"), block("00:00", "01:00")]).map(\.message)
        #expect(messages.first?.contains("sorted") == true)
        // An invalid block does not hide a later overlap with the last valid one.
        #expect(pairs([block("00:00", "06:00"), block("09:00", "08:00"), block("05:00", "10:00")]) == ["1:to", "2:from"])
    }

    @Test func powerAndStateOfChargeBounds() {
        #expect(pairs([block("00:00", "01:00", pBat: (5, -5))]) == ["0:pBatMin"])
        #expect(pairs([block("00:00", "01:00", soc: (-1, 50))]) == ["0:socMin"])
        #expect(pairs([block("00:00", "01:00", soc: (0, 100.5))]) == ["0:socMax"])
        #expect(pairs([block("00:00", "01:00", soc: (60, 40))]) == ["0:socMin"])
        #expect(pairs([block("00:00", "01:00", pBat: (-3, -3), soc: (50, 50))]).isEmpty)
    }

    @Test func typesMissingAndUnknownFields() {
        var wrong = block("00:00", "01:00")
        wrong["pBatMin"] = .string("1")
        wrong["socMax"] = .other(typeName: "null")
        wrong["to"] = .number(600)
        wrong.removeValue(forKey: "socMin")
        wrong["colour"] = .string("red")
        #expect(Set(pairs([wrong])) == ["0:pBatMin", "0:socMax", "0:to", "0:socMin", "0:colour"])
        var infinite = block("00:00", "01:00")
        infinite["pBatMax"] = .number(.infinity)
        #expect(pairs([infinite]) == ["0:pBatMax"])
    }

    @Test func everyViolationIsCollectedInBlockOrder() {
        let found = violations([block("00:00", "25:00"), block("00:00", "01:00", pBat: (2, 1)), block("00:30", "02:00", soc: (90, 10))])
        #expect(found.map(\.index) == [0, 1, 2, 2])
        #expect(found.map(\.field) == ["to", "pBatMin", "from", "socMin"])
    }

    /// Random schedules against an independent rule: the times are valid and every pair i < j has
    /// `to_i <= from_j` (the implementation compares neighbours only).
    @Test func orderingAgreesWithAPairwiseOracle() {
        var generator = SplitMix(seed: 42)
        for _ in 0..<2000 {
            let count = Int(generator.next() % 6)
            var intervals: [(Int, Int)] = []
            for _ in 0..<count {
                let from = Int(generator.next() % 48) * 30
                let to = from + Int(generator.next() % 8) * 30
                intervals.append((from, min(to, 1440)))
            }
            let blocks = intervals.map { block(TimeConfigValidation.textForTest($0.0), TimeConfigValidation.textForTest($0.1)) }
            let timesValid = intervals.allSatisfy { $0.0 < $0.1 }
            var pairwise = true
            for i in intervals.indices { for j in intervals.indices where i < j && intervals[i].1 > intervals[j].0 { pairwise = false } }
            let accepted = violations(blocks).isEmpty
            #expect(accepted == (timesValid && pairwise), "\(intervals)")
        }
    }
}

/// A small deterministic generator (SplitMix64), so failures reproduce.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

extension TimeConfigValidation {
    /// `"HH:MM"` of a minute of the day (1440 → `24:00`), written independently of the code under test.
    static func textForTest(_ minute: Int) -> String {
        let hours = minute / 60, minutes = minute % 60
        return "\(hours < 10 ? "0" : "")\(hours):\(minutes < 10 ? "0" : "")\(minutes)"
    }
}
