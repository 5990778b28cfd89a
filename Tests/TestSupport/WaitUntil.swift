import Foundation

/// A condition that did not come true in time; thrown, it fails the test with this text.
public struct WaitTimedOut: Error, CustomStringConvertible {
    public let what: String
    public var description: String { "timed out waiting until \(what)" }
}

/// Polls until `condition` holds; throws `WaitTimedOut` after `timeout` (a bound, not a
/// measurement: tests wait for conditions, never for fixed times).
public func waitUntil(timeout: Duration = .seconds(60), _ what: String, _ condition: () throws -> Bool) throws {
    let deadline = ContinuousClock.now.advanced(by: timeout)
    while ContinuousClock.now < deadline {
        if try condition() { return }
        Thread.sleep(forTimeInterval: 0.02)
    }
    throw WaitTimedOut(what: what)
}

/// `waitUntil` for async tests: suspends between polls instead of blocking a thread of the
/// cooperative pool, which the test's own tasks may need to make the condition true.
public func suspendUntil(timeout: Duration = .seconds(60), _ what: String, _ condition: () throws -> Bool) async throws {
    let deadline = ContinuousClock.now.advanced(by: timeout)
    while ContinuousClock.now < deadline {
        if try condition() { return }
        try await Task.sleep(for: .milliseconds(20))
    }
    throw WaitTimedOut(what: what)
}
