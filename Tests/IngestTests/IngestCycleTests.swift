import Testing
@testable import Ingest

/// Drives the consumer's state machine through every transition with plain integers as
/// deliveries and instants made up by the test: no broker, no database, no clock.
struct IngestCycleTests {
    typealias Cycle = IngestCycle<Int>
    static let limits = Cycle.Limits(maximumDeliveries: 4, maximumRows: 10, linger: .milliseconds(10))
    let t0 = ContinuousClock.now

    func at(_ milliseconds: Int) -> ContinuousClock.Instant { t0.advanced(by: .milliseconds(milliseconds)) }

    @Test func idleItPollsForTheFirstDelivery() {
        var cycle = Cycle(limits: Self.limits)
        #expect(cycle.next(now: at(0), outcomeReady: false) == .gather(timeout: Self.limits.idlePoll))
    }

    @Test func theFirstDeliveryStartsTheLingerAndTheBatchClosesWhenItPasses() {
        var cycle = Cycle(limits: Self.limits)
        cycle.received(1, rows: 1, now: at(0))
        #expect(cycle.next(now: at(4), outcomeReady: false) == .gather(timeout: .milliseconds(6)))
        cycle.received(2, rows: 1, now: at(5))
        #expect(cycle.next(now: at(9), outcomeReady: false) == .gather(timeout: .milliseconds(1)), "the linger runs from the first delivery")
        #expect(cycle.next(now: at(10), outcomeReady: false) == .submit([1, 2]))
        #expect(cycle.isWriting && cycle.gathering.isEmpty && cycle.gatheringRows == 0)
    }

    @Test func aFullBatchGoesAtOnceByDeliveriesOrByRows() {
        var byCount = Cycle(limits: Self.limits)
        for delivery in 1...4 { byCount.received(delivery, rows: 1, now: at(0)) }
        #expect(byCount.next(now: at(0), outcomeReady: false) == .submit([1, 2, 3, 4]))
        var byRows = Cycle(limits: Self.limits)
        byRows.received(1, rows: 6, now: at(0))
        #expect(byRows.next(now: at(1), outcomeReady: false) == .gather(timeout: .milliseconds(9)))
        byRows.received(2, rows: 4, now: at(1))
        #expect(byRows.next(now: at(1), outcomeReady: false) == .submit([1, 2]))
    }

    @Test func whileTheWriterWritesTheNextBatchGrowsUntilItIsFull() {
        var cycle = Cycle(limits: Self.limits)
        cycle.received(1, rows: 1, now: at(0))
        #expect(cycle.next(now: at(10), outcomeReady: false) == .submit([1]))
        #expect(cycle.next(now: at(11), outcomeReady: false) == .gather(timeout: Self.limits.busyPoll))
        for delivery in 2...5 { cycle.received(delivery, rows: 1, now: at(12)) }
        // Past its linger but the writer is busy: the batch waits and, full, stops the reading.
        #expect(cycle.next(now: at(30), outcomeReady: false) == .takeOutcome(timeout: Self.limits.outcomeWait))
        #expect(cycle.next(now: at(30), outcomeReady: true) == .takeOutcome(timeout: .zero))
        #expect(cycle.stored() == .acknowledge)
        #expect(cycle.next(now: at(31), outcomeReady: false) == .submit([2, 3, 4, 5]))
    }

    @Test func aFailedBatchIsRetriedAfterItsDelayWhileTheNextOneGathers() {
        var cycle = Cycle(limits: Self.limits)
        cycle.received(1, rows: 1, now: at(0))
        #expect(cycle.next(now: at(10), outcomeReady: false) == .submit([1]))
        #expect(cycle.consecutiveFailures == 0)
        #expect(cycle.writeFailed([1], now: at(20), delay: .milliseconds(200)) == .retry(after: .milliseconds(200)))
        #expect(cycle.consecutiveFailures == 1 && !cycle.isWriting)
        #expect(cycle.next(now: at(21), outcomeReady: false) == .gather(timeout: Self.limits.busyPoll))
        #expect(cycle.next(now: at(218), outcomeReady: false) == .gather(timeout: .milliseconds(2)), "polls no longer than the retry is away")
        for delivery in 2...5 { cycle.received(delivery, rows: 1, now: at(219)) }
        #expect(cycle.next(now: at(219), outcomeReady: false) == .sleep(.milliseconds(1)), "full: nothing to read or write")
        #expect(cycle.next(now: at(220), outcomeReady: false) == .submit([1]), "the same batch again, before the newer one")
        #expect(cycle.writeFailed([1], now: at(230), delay: .milliseconds(400)) == .retry(after: .milliseconds(400)))
        #expect(cycle.consecutiveFailures == 2)
        #expect(cycle.next(now: at(230), outcomeReady: false) == .sleep(Self.limits.retryPoll))
        #expect(cycle.next(now: at(630), outcomeReady: false) == .submit([1]))
        #expect(cycle.stored() == .acknowledge)
        #expect(cycle.consecutiveFailures == 0, "a stored batch resets the backoff")
        #expect(cycle.next(now: at(631), outcomeReady: false) == .submit([2, 3, 4, 5]))
    }

    @Test func afterAReconnectWhatWasHeldIsVoidAndABatchInFlightIsDiscarded() {
        var cycle = Cycle(limits: Self.limits)
        cycle.received(1, rows: 1, now: at(0))
        #expect(cycle.next(now: at(10), outcomeReady: false) == .submit([1]))
        cycle.received(2, rows: 1, now: at(11))
        cycle.connectionReplaced()
        #expect(cycle.gathering.isEmpty)
        #expect(cycle.stored() == .discard, "its acks would name tags of the old channel")
        cycle.received(3, rows: 1, now: at(20))
        #expect(cycle.next(now: at(30), outcomeReady: false) == .submit([3]))
        cycle.brokerFailed()
        #expect(cycle.writeFailed([3], now: at(31), delay: .seconds(1)) == .discard, "not retried: it comes back redelivered")
        #expect(cycle.consecutiveFailures == 2)
        #expect(cycle.next(now: at(32), outcomeReady: false) == .gather(timeout: Self.limits.idlePoll))
    }

    @Test func aFailedBatchWaitingForItsRetryIsDroppedByAReconnect() {
        var cycle = Cycle(limits: Self.limits)
        cycle.received(1, rows: 1, now: at(0))
        _ = cycle.next(now: at(10), outcomeReady: false)
        _ = cycle.writeFailed([1], now: at(11), delay: .milliseconds(50))
        cycle.connectionReplaced()
        #expect(cycle.failed == nil)
        #expect(cycle.next(now: at(100), outcomeReady: false) == .gather(timeout: Self.limits.idlePoll))
    }

    @Test func stoppingWritesWhatIsGatheredOnceThenFinishes() {
        var cycle = Cycle(limits: Self.limits)
        cycle.received(1, rows: 1, now: at(0))
        cycle.requestStop()
        #expect(cycle.next(now: at(1), outcomeReady: false) == .submit([1]), "closed by the stop, before its linger")
        #expect(cycle.next(now: at(2), outcomeReady: false) == .takeOutcome(timeout: Self.limits.outcomeWait), "no more reading")
        #expect(cycle.stored() == .acknowledge)
        #expect(cycle.next(now: at(3), outcomeReady: false) == .finish)
    }

    @Test func stoppingLeavesAFailedBatchUnacked() {
        var cycle = Cycle(limits: Self.limits)
        cycle.received(1, rows: 1, now: at(0))
        _ = cycle.next(now: at(10), outcomeReady: false)
        _ = cycle.writeFailed([1], now: at(11), delay: .milliseconds(50))
        cycle.requestStop()
        #expect(cycle.next(now: at(100), outcomeReady: false) == .finish)
        var idle = Cycle(limits: Self.limits)
        idle.requestStop()
        #expect(idle.next(now: at(0), outcomeReady: false) == .finish)
    }

    @Test func refusedRowsAreBisectedAndEverythingElseRetriesTheWholeBatch() {
        #expect(Cycle.decision(for: .refused) == .bisect)
        #expect(Cycle.decision(for: .transient) == .retryWholeBatch)
    }

    /// A full batch waiting on a slow writer, or on its retry, still serves the broker
    /// connection every `brokerService`, so that librabbitmq sends and checks the heartbeats,
    /// without taking deliveries (docs/RELIABILITY.md, item 12).
    @Test func aFullBatchWaitingOnTheWriterStillServicesTheBroker() {
        var cycle = Cycle(limits: Self.limits)
        cycle.received(1, rows: 1, now: at(0))
        #expect(cycle.next(now: at(10), outcomeReady: false) == .submit([1]))
        #expect(cycle.next(now: at(11), outcomeReady: false) == .gather(timeout: Self.limits.busyPoll))
        for delivery in 2...5 { cycle.received(delivery, rows: 1, now: at(12)) }
        #expect(cycle.next(now: at(500), outcomeReady: false) == .takeOutcome(timeout: Self.limits.outcomeWait))
        #expect(cycle.next(now: at(1011), outcomeReady: false) == .serviceBroker, "a second without going to the broker")
        #expect(cycle.next(now: at(1012), outcomeReady: false) == .takeOutcome(timeout: Self.limits.outcomeWait))
        // The writer fails: the full batch waits for its retry, and the broker is still served.
        #expect(cycle.writeFailed([1], now: at(1100), delay: .seconds(5)) == .retry(after: .seconds(5)))
        #expect(cycle.next(now: at(1200), outcomeReady: false) == .sleep(Self.limits.retryPoll))
        #expect(cycle.next(now: at(2012), outcomeReady: false) == .serviceBroker)
        #expect(cycle.next(now: at(6100), outcomeReady: false) == .submit([1]))
        #expect(cycle.stored() == .acknowledge)
        #expect(cycle.next(now: at(6101), outcomeReady: false) == .submit([2, 3, 4, 5]))
    }
}
