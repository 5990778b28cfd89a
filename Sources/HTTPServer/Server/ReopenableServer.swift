import Synchronization

/// A listener that can be taken down and brought back on the same port: what the partner
/// simulators (ESM, Argo) use to play an outage. While down, connections are refused; the
/// simulator's state lives on in its owner.
public final class ReopenableServer: Sendable {
    private let host: String
    private let requestedPort: Int
    private let serverName: String
    private let workerCount: Int
    private let makeRouter: @Sendable () -> Router
    /// Runs before each stop (down or for good): lets handlers in flight answer first, since the
    /// loops must not be woken after they closed their descriptors.
    private let beforeStop: @Sendable () -> Void
    private let afterStop: @Sendable () -> Void
    private let state = Mutex<(server: HTTPServer?, port: Int?, down: Bool)>((nil, nil, false))

    /// - Parameter port: 0 picks a free port (kept across downs).
    public init(host: String, port: Int, serverName: String, workerCount: Int, makeRouter: @escaping @Sendable () -> Router,
                beforeStop: @escaping @Sendable () -> Void = {}, afterStop: @escaping @Sendable () -> Void = {}) {
        self.host = host
        requestedPort = port
        self.serverName = serverName
        self.workerCount = workerCount
        self.makeRouter = makeRouter
        self.beforeStop = beforeStop
        self.afterStop = afterStop
    }

    /// Starts listening. - Returns: the port.
    @discardableResult
    public func start() throws -> Int { try listen(on: requestedPort) }

    /// Stops listening for good (until `start`).
    public func stop() { stopRunning(markingDown: false) }

    public var port: Int? { state.withLock { $0.port } }

    /// `http://host:port`, for clients.
    public var baseURL: String {
        let shown = host.contains(":") ? "[\(host)]" : host
        return "http://\(shown):\(port ?? requestedPort)"
    }

    /// True while taken down.
    public var isDown: Bool { state.withLock { $0.down } }

    /// Down closes the port; up listens again on the same port.
    public func setDown(_ down: Bool) throws {
        if down {
            stopRunning(markingDown: true)
        } else {
            let (wasDown, port) = state.withLock { ($0.down, $0.port) }
            guard wasDown, let port else { return }
            _ = try listen(on: port)
        }
    }

    private func stopRunning(markingDown down: Bool) {
        let running = state.withLock { current -> HTTPServer? in
            if down { current.down = true }
            defer { current.server = nil }
            return current.server
        }
        guard let running else { return }
        beforeStop()
        running.stop(grace: .milliseconds(200))
        afterStop()
    }

    private func listen(on port: Int) throws -> Int {
        var limits = ServerLimits()
        limits.handlerTimeBudget = .seconds(120)
        let configuration = HTTPServerConfiguration(host: host, port: port, eventLoopCount: 1, workerCount: workerCount,
                                                    limits: limits, serverName: serverName)
        let http = HTTPServer(configuration: configuration, router: makeRouter())
        let bound = try http.start()
        state.withLock { $0 = (http, bound, false) }
        return bound
    }
}
