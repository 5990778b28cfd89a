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
    /// Submits waiting out `submitResponseDelayMilliseconds`; stopping cuts their wait short.
    private let delays = Atomic<Int>(0)
    private let stopping = Atomic<Bool>(false)
    private let listener = Mutex<ReopenableServer?>(nil)

    public init(options: ArgoSimulatorOptions = ArgoSimulatorOptions(), logger: Logger = .silent) {
        self.options = options
        self.logger = logger
        state = Mutex(ArgoSimulatorState(knobs: options.knobs))
        let server = ReopenableServer(host: options.host, port: options.port, serverName: "argo-sim", workerCount: 32,
                                      makeRouter: { [unowned self] in makeRouter() },
                                      beforeStop: { [unowned self] in releaseDelays() },
                                      afterStop: { [unowned self] in stopping.store(false, ordering: .relaxed) })
        listener.withLock { $0 = server }
    }

    private var server: ReopenableServer { listener.withLock { $0! } }

    /// Starts listening. - Returns: the port.
    @discardableResult
    public func start() throws -> Int {
        let port = try server.start()
        logger.info("argo-sim listening", ["port": String(port), "namespaces": options.namespaces.joined(separator: ",")])
        return port
    }

    public func stop() { server.stop() }

    public var port: Int? { server.port }

    /// `http://host:port`, for clients.
    public var baseURL: String { server.baseURL }

    /// True while the port is closed; the workflows are kept, as a restarted Argo server keeps
    /// them in Kubernetes.
    public var isDown: Bool { server.isDown }

    /// Closes the port (connections are refused) or listens again on the same port.
    public func setDown(_ down: Bool) throws { try server.setDown(down) }

    /// Lets delayed submits answer at once, so the listener can stop once they have.
    private func releaseDelays() {
        stopping.store(true, ordering: .relaxed)
        let deadline = ContinuousClock.now + .seconds(5)
        while delays.load(ordering: .relaxed) > 0, ContinuousClock.now < deadline { Thread.sleep(forTimeInterval: 0.005) }
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
