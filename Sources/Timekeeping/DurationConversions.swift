import Dispatch

// The one place where a `Duration` turns into the units other APIs take: fractional seconds for
// SQL intervals and metrics, whole milliseconds or nanoseconds for timeouts, and Dispatch times.

extension Duration {
    /// The duration in (fractional) seconds.
    public var inSeconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }

    /// Whole milliseconds, at least 0 (rounded down).
    public var wholeMilliseconds: Int {
        let (seconds, attoseconds) = components
        return Int(clamping: max(0, seconds &* 1000 &+ attoseconds / 1_000_000_000_000_000))
    }

    /// Whole nanoseconds, at least 0 (rounded down).
    public var wholeNanoseconds: Int {
        let (seconds, attoseconds) = components
        guard seconds >= 0 else { return 0 }
        let (scaled, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        return overflow ? Int.max : Int(clamping: scaled &+ attoseconds / 1_000_000_000)
    }

    /// The same span for Dispatch (`DispatchTime.now() + duration.dispatchInterval`), at least 0.
    public var dispatchInterval: DispatchTimeInterval { .nanoseconds(wholeNanoseconds) }

    /// A duration of `seconds` fractional seconds.
    public static func seconds(fractional seconds: Double) -> Duration {
        .nanoseconds(Int64((seconds * 1e9).rounded()))
    }
}

extension DispatchTime {
    /// `duration` from now, for semaphore and timer deadlines.
    public static func after(_ duration: Duration) -> DispatchTime {
        .now() + duration.dispatchInterval
    }
}
