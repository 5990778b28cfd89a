import HTTPServer
import Messaging
import Observability
import Synchronization

/// The listener as a service: it starts listening, and on stop refuses new connections and lets
/// the requests in progress finish until the deadline.
final class HTTPService: Service {
    let name = "http"
    /// The listener (the watchdog probes its event loops).
    let server: HTTPServer
    private let logger: Logger
    private let boundPort = Mutex<Int?>(nil)

    init(server: HTTPServer, logger: Logger) {
        self.server = server
        self.logger = logger
    }

    /// The port it listens on (the configured one, or the one the system chose for port 0).
    var port: Int? { boundPort.withLock { $0 } }

    func start() throws {
        let port = try server.start()
        boundPort.withLock { $0 = port }
    }

    func stop(by deadline: ContinuousClock.Instant) -> Bool {
        server.stop(grace: max(deadline - .now, .zero))
        return ContinuousClock.now <= deadline
    }
}
