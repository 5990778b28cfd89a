#if canImport(Glibc)
import Glibc
#endif
import Timekeeping

/// Capped exponential backoff with jitter, for reconnect loops: attempt n waits about
/// `initial * multiplier^n`, at most `maximum`, of which the `jitter` fraction is random so
/// that replicas dropped together do not reconnect in lockstep.
public struct Backoff: Sendable, Equatable {
    public var initial: Duration
    public var maximum: Duration
    public var multiplier: Double
    /// 0 gives exact delays; 1 gives a delay anywhere between zero and the nominal one.
    public var jitter: Double

    public init(initial: Duration = .milliseconds(200), maximum: Duration = .seconds(30),
                multiplier: Double = 2, jitter: Double = 0.5) {
        self.initial = initial
        self.maximum = maximum
        self.multiplier = max(multiplier, 1)
        self.jitter = min(max(jitter, 0), 1)
    }

    /// The nominal (un-jittered) delay before attempt `attempt` (0-based).
    public func nominalDelay(forAttempt attempt: Int) -> Duration {
        let initialSeconds = Self.seconds(initial), maximumSeconds = Self.seconds(maximum)
        var seconds = initialSeconds
        var step = 0
        while step < attempt, seconds < maximumSeconds {
            seconds *= multiplier
            step += 1
        }
        return .nanoseconds(Int64(min(seconds, maximumSeconds) * 1e9))
    }

    /// The delay to sleep before attempt `attempt`: within `[nominal * (1 - jitter), nominal]`.
    public func delay(forAttempt attempt: Int, using generator: inout some RandomNumberGenerator) -> Duration {
        let nominal = Self.seconds(nominalDelay(forAttempt: attempt))
        let factor = jitter == 0 ? 1 : Double.random(in: (1 - jitter)...1, using: &generator)
        return .nanoseconds(Int64(nominal * factor * 1e9))
    }

    public func delay(forAttempt attempt: Int) -> Duration {
        var generator = SystemRandomNumberGenerator()
        return delay(forAttempt: attempt, using: &generator)
    }

    static func seconds(_ duration: Duration) -> Double { duration.inSeconds }
}

extension Backoff {
    /// Runs `body` until it succeeds, sleeping with backoff after each retriable `AMQPError`.
    /// Other errors are thrown at once; once `isStopped` returns true, the wait ends and
    /// `.connectionClosed` (not retriable) is thrown.
    func retrying<R>(isStopped: () -> Bool, onRetry: (_ attempt: Int, _ delay: Duration, AMQPError) -> Void,
                     _ body: () throws -> R) throws -> R {
        var attempt = 0
        while true {
            if isStopped() { throw AMQPError(.connectionClosed, detail: "stopped", isRetriable: false) }
            do {
                return try body()
            } catch let error as AMQPError where error.isRetriable {
                let wait = delay(forAttempt: attempt)
                attempt += 1
                onRetry(attempt, wait, error)
                Self.sleep(for: wait, unless: isStopped)
            }
        }
    }

    /// Sleeps in short slices so that a stop request ends the wait promptly.
    static func sleep(for duration: Duration, unless isStopped: () -> Bool) {
        let deadline = ContinuousClock.now.advanced(by: duration)
        while !isStopped() {
            let remaining = ContinuousClock.now.duration(to: deadline)
            if remaining <= .zero { return }
            let slice = min(remaining, .milliseconds(100))
            var request = timespec(tv_sec: Int(slice.components.seconds),
                                   tv_nsec: Int(slice.components.attoseconds / 1_000_000_000))
            _ = nanosleep(&request, nil)
        }
    }
}
