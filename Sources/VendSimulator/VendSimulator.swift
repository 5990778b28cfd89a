import Foundation
import HTTPServer
import Observability
import Synchronization
import VendCore

/// A fake vending provider over real HTTP, speaking PrepaidPlus' electricity protocol
/// (`creditvend`, `advice`, `trialvend` under Basic auth), for the local run, tests and
/// benchmarks; with realistic receipts (20-digit tokens in groups of four, key-change tokens,
/// fees in decimals), PrepaidPlus' sandbox meters, and knobs for latency, failures and timeouts.
///
/// It is also a `VendProvider` itself, for use in-process without HTTP (the daemon's default).
/// Test hooks under `/_sim/` (no credentials): `GET /_sim/stats`, `GET /_sim/sales`,
/// `POST /_sim/knobs`.
public final class VendSimulator: Sendable {
    public let options: VendSimulatorOptions
    let logger: Logger
    let state: Mutex<VendSimulatorState>
    let handlers = SimulatorHandlerGate()
    private let server = Mutex<(server: HTTPServer?, port: Int?)>((nil, nil))

    public init(options: VendSimulatorOptions = VendSimulatorOptions(), logger: Logger = .silent) {
        self.options = options
        self.logger = logger
        state = Mutex(VendSimulatorState(options: options))
    }

    /// Starts listening. - Returns: the port.
    @discardableResult
    public func start() throws -> Int {
        var limits = ServerLimits()
        limits.handlerTimeBudget = .seconds(600)
        let configuration = HTTPServerConfiguration(host: options.host, port: options.port, eventLoopCount: 1, workerCount: 64,
                                                    limits: limits, serverName: "vend-sim")
        let http = HTTPServer(configuration: configuration, router: makeRouter())
        let port = try http.start()
        server.withLock { $0 = (http, port) }
        logger.info("vend-sim listening", ["port": String(port)])
        return port
    }

    /// Stops listening; waits in progress are cut short and answered first.
    public func stop() {
        guard let running = server.withLock({ current -> HTTPServer? in
            defer { current.server = nil }
            return current.server
        }) else { return }
        handlers.interruptAndDrain(timeout: 5)
        running.stop(grace: .milliseconds(200))
        handlers.allow()
    }

    public var port: Int? { server.withLock { $0.port } }

    /// `http://host:port` followed by the electricity base path: what a PrepaidPlus client is given.
    public var baseURL: String {
        let host = options.host.contains(":") ? "[\(options.host)]" : options.host
        return "http://\(host):\(port ?? options.port)\(options.basePath)"
    }

    public var knobs: VendSimulatorKnobs {
        get { state.withLock { $0.options.knobs } }
        set { state.withLock { $0.options.knobs = newValue } }
    }

    public var stats: VendSimulatorStats { state.withLock { $0.stats } }

    /// What is recorded under each clientSaleId.
    public var records: [String: SimulatedSaleRecord] { state.withLock { $0.records } }

    /// Credit vends received per clientSaleId.
    public var creditVendsBySaleID: [String: Int] { state.withLock { $0.creditVendsBySaleID } }

    /// Adds or replaces a meter's behaviour.
    public func setMeter(_ number: String, _ meter: SimulatedMeter) {
        state.withLock { $0.options.meters[number] = meter }
    }
}

extension VendSimulator: VendProvider {
    public var name: String { "simulator" }

    /// The same books as over HTTP; an injected failure or timeout is an unknown outcome (the
    /// sale may have been made, as over a real network), answered without waiting the hang.
    public func creditVend(_ request: CreditVendRequest) -> CreditVendOutcome {
        let (answer, latency) = state.withLock { s in (s.creditVend(CreditVendFields(request), now: Date()), s.options.knobs.latencyMs) }
        handlers.sleep(milliseconds: latency)
        let hung = answer.delayMs > latency
        if answer.status == 400, let fault = answer.body.fault { return .refused(fault) }
        guard answer.status == 200, !hung else { return .unknown(reason: hung ? "simulated timeout" : "simulated HTTP \(answer.status)") }
        switch answer.body.sale(expectedClientSaleID: request.clientSaleID) {
        case .success(let sale): return .sold(sale)
        case .failure(let error): return .unknown(reason: error.reason)
        }
    }

    public func advice(clientSaleID: String) -> AdviceOutcome {
        let answer = state.withLock { $0.advice(clientSaleId: clientSaleID) }
        handlers.sleep(milliseconds: answer.delayMs)
        if let fault = answer.body.fault {
            return fault.code == PrepaidPlusWire.noSaleCode ? .noSale(fault) : .unavailable(reason: "\(fault.code) \(fault.message)")
        }
        switch answer.body.sale(expectedClientSaleID: clientSaleID) {
        case .success(let sale): return .sold(sale)
        case .failure(let error): return .unavailable(reason: error.reason)
        }
    }
}
