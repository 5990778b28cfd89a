import Foundation

/// Runs `body` on `count` threads of their own, released together once all have started, and
/// waits for all of them. `DispatchQueue.concurrentPerform` would run only as many at once as
/// there are cores (two here), which is not "50 clients at once".
public func runOnThreads(_ count: Int, _ body: @escaping @Sendable (Int) -> Void) {
    let ready = DispatchGroup(), done = DispatchGroup()
    let start = DispatchSemaphore(value: 0)
    for index in 0..<count {
        ready.enter()
        done.enter()
        let thread = Thread {
            ready.leave()
            start.wait()
            body(index)
            done.leave()
        }
        thread.stackSize = 1 << 20
        thread.start()
    }
    ready.wait()
    for _ in 0..<count { start.signal() }
    done.wait()
}
