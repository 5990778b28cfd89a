import Glibc

/// Waits for SIGTERM or SIGINT with `sigwait`. `blockTerminationSignals` must run on the main
/// thread before any other thread starts, so that every thread inherits the blocked mask and the
/// signals queue up for `waitForTermination` instead of killing the process mid-write.
public enum SignalWaiter {
    public static func blockTerminationSignals() {
        var set = terminationSet()
        pthread_sigmask(SIG_BLOCK, &set, nil)
    }

    /// Blocks until one of the signals arrives. - Returns: its number.
    public static func waitForTermination() -> Int32 {
        var set = terminationSet()
        var received: Int32 = 0
        while sigwait(&set, &received) != 0 {}
        return received
    }

    private static func terminationSet() -> sigset_t {
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGTERM)
        sigaddset(&set, SIGINT)
        return set
    }
}
