import Foundation
import HTTPServer
import Observability
import Synchronization
import TradingCore

/// A fake ESM over real HTTP (DESIGN §7), for the local run, tests and benchmarks: OAuth2 client
/// credentials, plants with time-block configuration, commands idempotent by `Idempotency-Key`
/// and acknowledgements published to `<prefix>.command-acks`. Faults can be switched at run time:
/// latency, a share of 503 answers, expired tokens, and `isDown` (the port refuses connections).
///
/// Test hooks under `/_sim/` (no token needed): `GET /_sim/commands`, `GET /_sim/stats`,
/// `POST /_sim/knobs`, `POST /_sim/revoke-tokens`.
public final class ESMSimulator: Sendable {
    public let options: ESMSimulatorOptions
    let logger: Logger
    let state: Mutex<ESMSimulatorState>
    let acks: ESMAckPublisher
    let handlers = ESMHandlerGate()
    private let listener = Mutex<ReopenableServer?>(nil)

    /// - Throws: when `options.amqpURL` is not a valid AMQP URL.
    public init(options: ESMSimulatorOptions = ESMSimulatorOptions(), logger: Logger = .silent) throws {
        self.options = options
        self.logger = logger
        state = Mutex(ESMSimulatorState(options: options))
        acks = try ESMAckPublisher(amqpURL: options.amqpURL, exchange: options.exchange, logger: logger)
        // Simulated latency is cut short and running handlers answer before the server stops.
        let server = ReopenableServer(host: options.host, port: options.port, serverName: "esm-sim", workerCount: 64,
                                      makeRouter: { [unowned self] in makeRouter() },
                                      beforeStop: { [unowned self] in
                                          handlers.interruptSleeps()
                                          _ = handlers.waitUntilIdle(timeout: .seconds(5))
                                      },
                                      afterStop: { [unowned self] in handlers.allowSleeps() })
        listener.withLock { $0 = server }
    }

    private var server: ReopenableServer { listener.withLock { $0! } }

    /// The id of plant `number` (1-based): `e5a50000-0000-4000-8000-00000000000N`.
    public static func plantID(number: Int) -> String { ESMSimulatorState.plantID(number: number) }

    /// Connects to the broker (when configured) and starts listening.
    /// - Returns: the port.
    @discardableResult
    public func start() throws -> Int {
        try acks.start()
        let port = try server.start()
        logger.info("esm-sim listening", ["port": String(port), "plants": String(plants.count)])
        return port
    }

    /// Stops listening and publishing.
    public func stop() {
        server.stop()
        acks.stop()
    }

    public var port: Int? { server.port }

    /// `http://host:port`, for clients.
    public var baseURL: String { server.baseURL }

    /// When true the listener is closed, so connections are refused; false listens again on the
    /// same port.
    public var isDown: Bool {
        get { server.isDown }
        set { try? setDown(newValue) }
    }

    public func setDown(_ down: Bool) throws { try server.setDown(down) }

    // MARK: Knobs

    public var latency: Duration {
        get { state.withLock { $0.knobs.latency } }
        set { state.withLock { $0.knobs.latency = newValue } }
    }

    public var failureRate: Double {
        get { state.withLock { $0.knobs.failureRate } }
        set { state.withLock { $0.knobs.failureRate = min(1, max(0, newValue)) } }
    }

    /// Lifetime of tokens issued from now on.
    public var tokenTTL: Duration {
        get { state.withLock { $0.knobs.tokenTTL } }
        set { state.withLock { $0.knobs.tokenTTL = newValue } }
    }

    public var ackDelay: Duration {
        get { state.withLock { $0.knobs.ackDelay } }
        set { state.withLock { $0.knobs.ackDelay = newValue } }
    }

    public var rejectRate: Double {
        get { state.withLock { $0.knobs.rejectRate } }
        set { state.withLock { $0.knobs.rejectRate = min(1, max(0, newValue)) } }
    }

    /// The next command requests are each held this much longer before they execute (one delay
    /// per request, in order): a slow first call, while the key counts as in progress.
    public func delayNextCommands(_ delays: [Duration]) { state.withLock { $0.commandDelays += delays } }

    /// Makes every issued token invalid, so the next call gets a 401.
    public func revokeAllTokens() { state.withLock { $0.tokens.removeAll() } }

    // MARK: Plants and observations

    public var plants: [ESMPlant] { state.withLock { s in s.plantOrder.compactMap { s.plants[$0] } } }

    /// Adds or replaces a plant; `config` defaults to two blocks; `queuePrefix` routes its acks.
    public func addPlant(_ plant: ESMPlant, config: ESMPlantConfig? = nil, queuePrefix: String? = nil) {
        state.withLock { s in
            s.add(plant, config: config)
            if let queuePrefix { s.queuePrefixes[plant.id] = queuePrefix }
        }
    }

    /// Routes the acks of `plantID` to `<prefix>.command-acks`.
    public func setQueuePrefix(_ prefix: String, forPlant plantID: String) {
        state.withLock { $0.queuePrefixes[plantID] = prefix }
    }

    public func config(forPlant plantID: String) -> ESMPlantConfig? { state.withLock { $0.configs[plantID] } }

    public var stats: ESMSimulatorStats { state.withLock { $0.stats } }

    /// What arrived under each idempotency key.
    public var commands: [String: ESMSimulatedCommand] { state.withLock { $0.commands } }

    /// Acknowledgements published so far (or recorded, without a broker).
    public var publishedAcks: [(routingKey: String, ack: ESMCommandAck)] { acks.publishedAcks }

    /// Waits until every queued acknowledgement went out; false on timeout.
    public func waitForAcks(timeout: Duration = .seconds(10)) -> Bool { acks.waitUntilIdle(timeout: timeout) }
}
