import AMQP
import Testing

@Suite struct ConfirmTrackerTests {
    private func tracker(published count: Int) -> ConfirmTracker {
        var tracker = ConfirmTracker()
        for expected in 1...UInt64(count) { #expect(tracker.recordPublish() == expected) }
        return tracker
    }

    @Test func multipleAckSettlesEverythingUpToTheTag() {
        var t = tracker(published: 10)
        t.settle(7, multiple: true, isAck: true)
        #expect(t.outstandingCount == 3)
        t.settle(10, multiple: true, isAck: true)
        #expect(t.outstandingCount == 0)
        #expect(t.nacked.isEmpty)
    }

    @Test func outOfOrderSingleAcksAreCountedOnce() {
        var t = tracker(published: 5)
        t.settle(3, multiple: false, isAck: true)
        t.settle(3, multiple: false, isAck: true)   // duplicate: ignored
        #expect(t.outstandingCount == 4)
        t.settle(1, multiple: false, isAck: true)
        t.settle(2, multiple: false, isAck: true)   // 3 already settled: lowest jumps to 4
        #expect(t.outstandingCount == 2)
        t.settle(5, multiple: true, isAck: true)
        #expect(t.outstandingCount == 0)
    }

    @Test func multipleNackReportsOnlyTheUnsettledTags() {
        var t = tracker(published: 6)
        t.settle(2, multiple: false, isAck: true)
        t.settle(4, multiple: true, isAck: false)   // nacks 1, 3, 4 (2 was acked)
        #expect(t.takeFailures() == [1, 3, 4])
        #expect(t.nacked.isEmpty)
        #expect(t.outstandingCount == 2)
    }

    @Test func tagsOutsideTheOutstandingRangeAreIgnored() {
        var t = tracker(published: 3)
        t.settle(9, multiple: true, isAck: false)
        #expect(t.outstandingCount == 3)
        t.settle(3, multiple: true, isAck: true)
        t.settle(2, multiple: false, isAck: false)  // already settled
        #expect(t.outstandingCount == 0)
        #expect(t.nacked.isEmpty)
    }

    /// Settling in a random order with random `multiple` flags ends with nothing outstanding and
    /// each nacked tag reported exactly once, compared with a plain set simulation.
    @Test func randomSettlementMatchesASetModel() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<50 {
            let count = Int.random(in: 1...200, using: &generator)
            var t = tracker(published: count)
            var open = Set(1...UInt64(count))
            var expectedNacks: [UInt64] = []
            while !open.isEmpty {
                let tag = open.randomElement(using: &generator)!
                let multiple = Bool.random(using: &generator)
                let isAck = Int.random(in: 0..<4, using: &generator) > 0
                let settled = multiple ? open.filter { $0 <= tag }.sorted() : [tag]
                open.subtract(settled)
                if !isAck { expectedNacks += settled }
                t.settle(tag, multiple: multiple, isAck: isAck)
                #expect(t.outstandingCount == open.count)
            }
            #expect(t.takeFailures().sorted() == expectedNacks.sorted())
        }
    }
}
