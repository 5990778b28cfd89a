import Foundation
import Messaging
import Synchronization
import Testing

/// What the services of one test did, in order.
final class Journal: Sendable {
    private let entries = Mutex<[String]>([])
    func append(_ line: String) { entries.withLock { $0.append(line) } }
    var lines: [String] { entries.withLock { $0 } }
}

/// A service that records its calls in a shared journal and can be told to fail or be slow.
final class JournalService: Service {
    let name: String
    let journal: Journal
    let failsToStart: Bool
    /// How long `stop` takes; it never runs past the deadline it is given.
    let stopTakes: Duration
    let deadlines = Mutex<[ContinuousClock.Instant]>([])

    init(_ name: String, journal: Journal, failsToStart: Bool = false, stopTakes: Duration = .zero) {
        self.name = name
        self.journal = journal
        self.failsToStart = failsToStart
        self.stopTakes = stopTakes
    }

    struct StartFailure: Error {}

    func start() throws {
        journal.append("start \(name)")
        if failsToStart { throw StartFailure() }
    }

    func stop(by deadline: ContinuousClock.Instant) -> Bool {
        deadlines.withLock { $0.append(deadline) }
        journal.append("stop \(name)")
        let finishes = ContinuousClock.now + stopTakes
        Thread.sleep(forTimeInterval: max(.zero, min(finishes, deadline) - .now) / .seconds(1))
        return stopTakes == .zero || finishes <= deadline  // nothing in flight: done at once
    }
}

struct ServiceGroupTests {
    @Test func startsInOrderAndStopsInReverse() throws {
        let journal = Journal()
        let group = ServiceGroup(["ingest", "relay", "http"].map { JournalService($0, journal: journal) })
        try group.start()
        #expect(group.stop(within: .seconds(5)).isEmpty)
        #expect(journal.lines == ["start ingest", "start relay", "start http", "stop http", "stop relay", "stop ingest"])
    }

    @Test func everyServiceGetsTheSameDeadlineAndASlowOneLeavesLessToTheRest() throws {
        let journal = Journal()
        let slow = JournalService("http", journal: journal, stopTakes: .seconds(5))
        let consumer = JournalService("ingest", journal: journal)
        let group = ServiceGroup([consumer, slow])
        try group.start()
        let before = ContinuousClock.now
        let late = group.stop(within: .milliseconds(200))
        #expect(late == ["http"])
        #expect(ContinuousClock.now - before < .seconds(2), "the slow service was cut off at the deadline")
        let slowDeadline = try #require(slow.deadlines.withLock { $0.first })
        #expect(consumer.deadlines.withLock { $0 } == [slowDeadline], "one deadline for all")
    }

    @Test func aFailedStartStopsWhatStartedInReverse() {
        let journal = Journal()
        let group = ServiceGroup([JournalService("a", journal: journal), JournalService("b", journal: journal),
                                  JournalService("c", journal: journal, failsToStart: true), JournalService("d", journal: journal)])
        #expect(throws: JournalService.StartFailure.self) { try group.start(grace: .seconds(1)) }
        #expect(journal.lines == ["start a", "start b", "start c", "stop b", "stop a"])
    }
}
