import Synchronization

/// What every event loop of one server shares: configuration, router, hooks, the worker pool and
/// the connection count.
final class ServerCore: Sendable {
    let configuration: HTTPServerConfiguration
    let limits: ServerLimits
    let parserLimits: ParserLimits
    let router: Router
    let hooks: HTTPServerHooks
    let pool: WorkerPool
    /// Connections holding a slot under `maxConnections`.
    let openConnections = Atomic<Int>(0)
    /// Connections being refused (503 then close); bounded separately.
    let refusingConnections = Atomic<Int>(0)
    /// Request bytes the connections hold (`ServerLimits.maxBufferedRequestBytes`).
    let heldRequestBytes = Atomic<Int>(0)

    init(configuration: HTTPServerConfiguration, router: Router, hooks: HTTPServerHooks) {
        self.configuration = configuration
        limits = configuration.limits
        parserLimits = configuration.limits.parserLimits
        self.router = router
        self.hooks = hooks
        pool = WorkerPool(threadCount: configuration.workerCount, maxQueued: configuration.limits.maxQueuedRequests)
    }

    /// Takes a connection slot; false when the limit is reached.
    func reserveSlot() -> Bool {
        let count = openConnections.add(1, ordering: .relaxed).newValue
        if count > limits.maxConnections {
            openConnections.subtract(1, ordering: .relaxed)
            return false
        }
        hooks.connectionsChanged?(count)
        return true
    }

    /// Moves a connection's share of `heldRequestBytes` from `held` to `wanted`; false (and no
    /// change) when growing it would pass the limit.
    func rebalanceHeldBytes(from held: Int, to wanted: Int) -> Bool {
        let delta = wanted - held
        guard delta != 0 else { return true }
        let total = heldRequestBytes.add(delta, ordering: .relaxed).newValue
        if delta > 0 && total > limits.maxBufferedRequestBytes {
            heldRequestBytes.subtract(delta, ordering: .relaxed)
            return false
        }
        return true
    }

    func releaseSlot() {
        let count = openConnections.subtract(1, ordering: .relaxed).newValue
        hooks.connectionsChanged?(count)
    }
}
