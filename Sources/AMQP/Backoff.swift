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

    static func seconds(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
