import Foundation
import HTTPServer
import Observability
import Synchronization

/// A fake Argo Workflows server over real HTTP, for tests, benchmarks and the local run: the two
/// calls tradingd makes (`POST /api/v1/workflows/{ns}/submit` from a WorkflowTemplate and
/// `GET /api/v1/workflows/{ns}/{name}`), with Argo's bearer check, its gRPC-gateway error bodies
/// `{"code": N, "message": "..."}`, 409 AlreadyExists on a reused name, a per-client rate limit
/// answering 429 with `Retry-After`, and workflows that move Pending → Running → Succeeded (or
/// Failed) over configurable times. `isDown` closes the port (connections are refused) while
/// keeping the workflows, as a restarted Argo server keeps them in Kubernetes.
///
/// Test hooks under `/_sim/` (no token): `GET /_sim/workflows`, `GET /_sim/stats`,
/// `POST /_sim/knobs` (any fields of `ArgoSimulatorKnobs`).
public final class ArgoSimulator: Sendable {
    public let options: ArgoSimulatorOptions
    let logger: Logger
    let state: Mutex<ArgoSimulatorState>
    private let server = Mutex<(server: HTTPServer?, port: Int?, down: Bool)>((nil, nil, false))
    /// Submits waiting out `submitResponseDelayMilliseconds`; stopping cuts their wait short.
    private let delays = Atomic<Int>(0)
    private let stopping = Atomic<Bool>(false)

    public init(options: ArgoSimulatorOptions = ArgoSimulatorOptions(), logger: Logger = .silent) {
        self.options = options
        self.logger = logger
        state = Mutex(ArgoSimulatorState(knobs: options.knobs))
    }

    /// Starts listening. - Returns: the port.
    @discardableResult
    public func start() throws -> Int {
        let port = try listen(on: options.port)
        logger.info("argo-sim listening", ["port": String(port), "namespaces": options.namespaces.joined(separator: ",")])
        return port
    }

    public func stop() {
        let running = server.withLock { current -> HTTPServer? in
            defer { current.server = nil }
            return current.server
        }
        stopAfterDelays(running)
    }

    public var port: Int? { server.withLock { $0.port } }

    /// `http://host:port`, for clients.
    public var baseURL: String {
        let host = options.host.contains(":") ? "[\(options.host)]" : options.host
        return "http://\(host):\(port ?? options.port)"
    }

    /// True while the port is closed. Setting it false listens again on the same port.
    public var isDown: Bool {
        get { server.withLock { $0.down } }
        set { try? setDown(newValue) }
    }

    public func setDown(_ down: Bool) throws {
        if down {
            let running = server.withLock { current -> HTTPServer? in
                current.down = true
                defer { current.server = nil }
                return current.server
            }
            stopAfterDelays(running)
        } else {
            let (wasDown, port) = server.withLock { ($0.down, $0.port) }
            guard wasDown, let port else { return }
            _ = try listen(on: port)
        }
    }

    private func listen(on port: Int) throws -> Int {
        var limits = ServerLimits()
        limits.handlerTimeBudget = .seconds(120)
        let configuration = HTTPServerConfiguration(host: options.host, port: port, eventLoopCount: 1, workerCount: 32,
                                                    limits: limits, serverName: "argo-sim")
        let http = HTTPServer(configuration: configuration, router: makeRouter())
        let bound = try http.start()
        server.withLock { $0 = (http, bound, false) }
        return bound
    }

    /// Lets delayed submits answer at once, then stops the listener once they have.
    private func stopAfterDelays(_ running: HTTPServer?) {
        guard let running else { return }
        stopping.store(true, ordering: .relaxed)
        let deadline = ContinuousClock.now + .seconds(5)
        while delays.load(ordering: .relaxed) > 0, ContinuousClock.now < deadline { Thread.sleep(forTimeInterval: 0.005) }
        running.stop(grace: .milliseconds(200))
        stopping.store(false, ordering: .relaxed)
    }

    /// Sleeps `milliseconds` unless the simulator starts stopping.
    func delay(milliseconds: Int) {
        guard milliseconds > 0 else { return }
        delays.add(1, ordering: .relaxed)
        defer { delays.subtract(1, ordering: .relaxed) }
        let deadline = ContinuousClock.now + .milliseconds(milliseconds)
        while ContinuousClock.now < deadline, !stopping.load(ordering: .relaxed) { Thread.sleep(forTimeInterval: 0.005) }
    }

    // MARK: Knobs and observations

    public var knobs: ArgoSimulatorKnobs {
        get { state.withLock { $0.knobs } }
        set { state.withLock { $0.setKnobs(newValue) } }
    }

    public var stats: ArgoSimulatorStats { state.withLock { $0.stats } }

    /// Every workflow created so far, by `namespace/name`.
    public var workflows: [String: ArgoSimulatedWorkflow] { state.withLock { $0.workflows } }
}
