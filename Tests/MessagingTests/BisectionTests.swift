import AMQP
import Messaging
import Testing

struct BisectionTests {
    struct Refused: Error {}
    struct Outage: Error {}

    /// A store that refuses any range containing one of `bad`, counting its attempts.
    final class Store {
        let bad: Set<Int>
        var attempts = 0
        init(bad: Set<Int>) { self.bad = bad }
        func write(_ range: Range<Int>) throws -> [Int] {
            attempts += 1
            if range.contains(where: bad.contains) { throw Refused() }
            return Array(range)
        }
    }

    @Test(arguments: [[], [0], [7], [3, 4], [0, 15], [1, 2, 3, 9, 14]])
    func storesEverythingButTheRefusedItems(bad: [Int]) throws {
        let store = Store(bad: Set(bad))
        var refused: [Int] = []
        var splits = 0
        let stored = try Bisection.store(0..<16, attempt: store.write, splits: { $0 is Refused },
                                         refuse: { index, _ in refused.append(index); return [] }, combine: +,
                                         onSplit: { splits += 1 })
        #expect(stored == (0..<16).filter { !bad.contains($0) })
        #expect(refused == bad)
        if bad.isEmpty { #expect(store.attempts == 1 && splits == 0) }
        if bad.count == 1 { #expect(store.attempts == 1 + 2 * 4, "one refused item in 16 costs log2(16) splits") }
    }

    @Test func failuresThatDoNotSplitAreThrownForARetryOfTheWholeBatch() {
        var attempts = 0
        #expect(throws: Outage.self) {
            _ = try Bisection.store(0..<8, attempt: { _ -> Int in attempts += 1; throw Outage() }, splits: { $0 is Refused },
                                    refuse: { _, _ in 0 }, combine: +)
        }
        #expect(attempts == 1)
    }

    @Test func bothHalvesRefusedAlikeStopTheSearchUnlessAskedToGoOn() throws {
        // Every item is refused (a constraint no row meets): with `sameRefusal` the search stops
        // after one split instead of refusing all 16 one by one.
        let store = Store(bad: Set(0..<16))
        #expect(throws: Bisection.CommonRefusal.self) {
            _ = try Bisection.store(0..<16, attempt: store.write, splits: { $0 is Refused }, refuse: { _, _ in [] }, combine: +,
                                    sameRefusal: { _, _ in true })
        }
        #expect(store.attempts == 3)
        var refused: [Int] = []
        _ = try Bisection.store(0..<16, attempt: store.write, splits: { $0 is Refused },
                                refuse: { index, _ in refused.append(index); return [] }, combine: +)
        #expect(refused == Array(0..<16))
    }

    @Test func halvesRefusedDifferentlyAreSearchedOn() throws {
        struct Other: Error {}
        var refused: [Int] = []
        let stored = try Bisection.store(0..<8, attempt: { range -> [Int] in
            if range.contains(1) { throw Refused() }
            if range.contains(6) { throw Other() }
            return Array(range)
        }, splits: { $0 is Refused || $0 is Other }, refuse: { index, _ in refused.append(index); return [] }, combine: +,
           sameRefusal: { type(of: $0) == type(of: $1) })
        #expect(refused == [1, 6])
        #expect(stored == [0, 2, 3, 4, 5, 7])
    }
}

struct DeadLetterTests {
    @Test func carriesTheReasonKindQueueAndExtraHeadersOverTheOriginalOnes() {
        var properties = AMQPProperties()
        properties.headers = ["partner": .string("kept")]
        let letter = DeadLetter(body: [1, 2], properties: properties, reason: String(repeating: "é", count: 3000), kind: "malformed",
                                queue: "p.telemetry", deadLetterQueue: "p.telemetry.dlq",
                                extraHeaders: ["x-rejected-elements": .array([.long(3)])])
        let headers = letter.properties.headers ?? [:]
        #expect(headers["partner"] == .string("kept"))
        #expect(headers[DeadLetter.kindHeader] == .string("malformed"))
        #expect(headers[DeadLetter.queueHeader] == .string("p.telemetry"))
        #expect(headers["x-rejected-elements"] == .array([.long(3)]))
        guard case .string(let reason) = headers[DeadLetter.reasonHeader] else { Issue.record("no reason"); return }
        #expect(reason.utf8.count <= DeadLetter.maximumReasonBytes + 3 && reason.hasSuffix("…"))
        #expect(letter.deadLetterQueue == "p.telemetry.dlq")
    }
}
