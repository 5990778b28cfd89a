import HTTPServer
import Observability
import Timekeeping

/// Pings systemd's watchdog only when the daemon proves it still works: every HTTP event loop
/// must answer a probe within half the ping interval. A loop wedged in a handler or a system
/// call answers nothing, no `WATCHDOG=1` goes out, and systemd restarts the daemon once
/// `WatchdogSec` passes (a timer pinging regardless would hide the wedge for ever).
struct Watchdog: Sendable {
    let notifier: SystemdNotifier
    let server: HTTPServer
    /// How often `tick` runs (half of `WATCHDOG_USEC`).
    let interval: Duration
    let logger: Logger

    /// One tick of the watchdog timer; true when it pinged.
    @discardableResult
    func tick() -> Bool {
        guard server.loopsAreTurning(within: interval / 2) else {
            logger.error("watchdog not pinged: an HTTP event loop did not answer its probe",
                         ["timeout.ms": String(Int((interval / 2).inSeconds * 1000))])
            return false
        }
        notifier.watchdog()
        return true
    }
}
