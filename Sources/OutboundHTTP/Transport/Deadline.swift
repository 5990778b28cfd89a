import Dispatch
import Timekeeping

/// A monotonic deadline in nanoseconds since boot.
struct Deadline: Sendable {
    let uptimeNanoseconds: UInt64

    static func after(_ duration: Duration) -> Deadline {
        Deadline(uptimeNanoseconds: DispatchTime.now().uptimeNanoseconds &+ UInt64(duration.wholeNanoseconds))
    }

    static func earliest(_ a: Deadline, _ b: Deadline) -> Deadline { a.uptimeNanoseconds < b.uptimeNanoseconds ? a : b }

    /// Milliseconds left for `poll`, rounded up; 0 once passed.
    var remainingMilliseconds: Int32 {
        let now = DispatchTime.now().uptimeNanoseconds
        guard uptimeNanoseconds > now else { return 0 }
        return Int32(min(UInt64(Int32.max), (uptimeNanoseconds - now + 999_999) / 1_000_000))
    }
}

extension Deadline {
    var hasPassed: Bool { DispatchTime.now().uptimeNanoseconds >= uptimeNanoseconds }
}
