import Foundation
import Messaging
import Synchronization
import Testing

struct WorkerThreadTests {
    @Test func aStopRequestEndsASleepAtOnce() {
        let worker = WorkerThread(name: "test sleeper")
        let woke = Atomic<Bool>(false)
        worker.start {
            let slept = worker.sleep(.seconds(60))
            woke.store(!slept, ordering: .relaxed)
        }
        let started = ContinuousClock.now
        #expect(worker.stop(by: .now + .seconds(10)))
        #expect(ContinuousClock.now - started < .seconds(10))
        let endedBySignal = woke.load(ordering: .relaxed)
        #expect(endedBySignal)
        #expect(!worker.sleep(.seconds(5)), "a sleep after the stop returns at once")
    }

    @Test func waitingGivesUpAtTheDeadlineWhileTheLoopFinishesItsWork() {
        let worker = WorkerThread(name: "test busy")
        let release = DispatchSemaphore(value: 0)
        worker.start { release.wait() }  // work in flight that ignores the stop request
        #expect(!worker.stop(by: .now + .milliseconds(100)))
        release.signal()
        #expect(worker.waitUntilFinished(timeout: .seconds(10)))
        #expect(worker.waitUntilFinished(timeout: .zero), "finished stays finished")
    }

    @Test func onStopRunsOnceAndAThreadNeverStartedCountsAsFinished() {
        let calls = Atomic<Int>(0)
        let worker = WorkerThread(name: "test idle", onStop: { calls.add(1, ordering: .relaxed) })
        worker.requestStop()
        worker.requestStop()
        let count = calls.load(ordering: .relaxed)
        #expect(count == 1)
        #expect(worker.isStopping)
        #expect(worker.waitUntilFinished(timeout: .zero))
    }

    @Test func severalThreadsShareOneDeadline() {
        let workers = (0..<3).map { WorkerThread(name: "test \($0)") }
        for worker in workers { worker.start { while worker.sleep(.milliseconds(50)) {} } }
        #expect(workers.stop(by: .now + .seconds(10)))
        #expect(workers.allSatisfy { $0.isStopping })
    }
}
