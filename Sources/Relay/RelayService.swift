import AMQP
import Foundation
import Messaging
import Observability
import Synchronization
import TradingCore

/// The command relay of every enabled organisation (DESIGN §4, §7):
///
/// - per organisation, a consumer of `P.commands` (`CommandRecorder`: validate, record in
///   `command_log` before anything leaves, ack; dead-letter what can never be processed) and a
///   consumer of `P.command-acks` (`AckRecorder`);
/// - shared by all organisations, `relayWorkers` relay workers (`RelayWorker`: PENDING commands
///   to the ESM, retries, expiry, ack timeouts) and one events outbox publisher
///   (`EventOutboxPublisher`: every status change to `P.events`).
///
/// The command consumers hand the ids of the commands they recorded to the workers in memory
/// (`RelayHandoff`), which claim each by its id; a periodic due search finds everything else.
/// Nothing in memory is needed for correctness: several replicas may run against the same
/// database and queues, and a restarted one picks up whatever was pending.
public final class RelayService: Service {
    public let name = "relay"
    public let metrics: RelayMetrics
    private let amqpURL: AMQPURL
    private let databaseURL: String
    private let options: RelayOptions
    private let esmClients: any ESMClientProvider
    private let log: Logger
    private let now: @Sendable () -> TelemetryTimestamp
    private let relayWakeup: RelayWakeup
    private let eventWakeup = RelayWakeup(waiters: 1)
    private let handoff: RelayHandoff
    private let state = Mutex(State())

    private struct State {
        var started = false
        var stopped = false
        var organizations: [UUID: String] = [:]
        var consumers: [UUID: [RelayConsumer]] = [:]
        var workers: [RelayWorker] = []
        var outbox: EventOutboxPublisher?
    }

    /// - Parameters:
    ///   - organizations: organisation id → queue prefix, consumed from `start()`.
    ///   - esmClients: each organisation's ESM client (its trading configuration).
    public init(amqpURL: AMQPURL, databaseURL: String, organizations: [UUID: String] = [:], esmClients: any ESMClientProvider,
                options: RelayOptions = RelayOptions(), metrics: RelayMetrics = RelayMetrics(), log: Logger = .silent,
                now: @escaping @Sendable () -> TelemetryTimestamp = { .now }) {
        self.amqpURL = amqpURL
        self.databaseURL = databaseURL
        self.options = options
        self.esmClients = esmClients
        self.metrics = metrics
        self.log = log.with(["component": "relay"])
        self.now = now
        relayWakeup = RelayWakeup(waiters: max(options.relayWorkers, 1))
        handoff = RelayHandoff(capacity: options.handoffCapacity)
        state.withLock { $0.organizations = organizations }
    }

    /// The organisations consumed, id → queue prefix.
    public var organizations: [UUID: String] { state.withLock { $0.organizations } }

    /// Starts the consumers of every organisation, the relay workers and the outbox publisher.
    /// They connect on their own threads and retry until the servers answer.
    public func start() {
        let organizations: [UUID: String]? = state.withLock { state in
            guard !state.started, !state.stopped else { return nil }
            state.started = true
            return state.organizations
        }
        guard let organizations else { return }
        let organizationIDs: @Sendable () -> [UUID] = { [weak self] in self.map { Array($0.organizations.keys) } ?? [] }
        let dueSearches = DueSearchSchedule(interval: options.pollInterval)
        let workers = (0..<max(options.relayWorkers, 0)).map { index in
            RelayWorker(index: index, databaseURL: databaseURL, options: options, esmClients: esmClients,
                        organizationIDs: organizationIDs, metrics: metrics, log: log, wakeup: relayWakeup, eventWakeup: eventWakeup,
                        handoff: handoff, dueSearches: dueSearches)
        }
        let outbox = EventOutboxPublisher(amqpURL: amqpURL, databaseURL: databaseURL, options: options,
                                          organizationIDs: organizationIDs, metrics: metrics, log: log, wakeup: eventWakeup)
        state.withLock { state in
            state.workers = workers
            state.outbox = outbox
        }
        for worker in workers { worker.start() }
        outbox.start()
        for (id, prefix) in organizations { launch(organizationID: id, queuePrefix: prefix) }
        log.info("relay started", ["organizations": String(organizations.count), "workers": String(workers.count)])
    }

    /// Stops consuming (each consumer finishes the batch in hand), then the workers (each
    /// finishes its round) and the outbox publisher. What was not done stays in the database.
    /// - Returns: true when everything stopped by `deadline`.
    @discardableResult
    public func stop(by deadline: ContinuousClock.Instant) -> Bool {
        let (consumers, workers, outbox) = state.withLock { state in
            state.stopped = true
            defer {
                state.consumers = [:]
                state.workers = []
                state.outbox = nil
            }
            return (state.consumers.values.flatMap { $0 }, state.workers, state.outbox)
        }
        let consumersStopped = consumers.map(\.thread).stop(by: deadline)
        let workersStopped = workers.map(\.thread).stop(by: deadline)
        let outboxStopped = outbox.map { [$0.thread].stop(by: deadline) } ?? true
        let allStopped = consumersStopped && workersStopped && outboxStopped
        log.info("relay stopped", ["clean": String(allStopped)])
        return allStopped
    }

    /// `stop(by:)` within `grace` from now.
    @discardableResult
    public func stop(grace: Duration) -> Bool { stop(by: .now + grace) }

    /// Starts relaying for an organisation (no-op when it is already relayed).
    public func addOrganization(organizationID: UUID, queuePrefix: String) {
        let shouldLaunch: Bool = state.withLock { state in
            guard state.organizations[organizationID] == nil else { return false }
            state.organizations[organizationID] = queuePrefix
            return state.started && !state.stopped
        }
        if shouldLaunch { launch(organizationID: organizationID, queuePrefix: queuePrefix) }
    }

    /// Stops an organisation's consumers (finishing their batches in hand); its pending commands
    /// stay in the database until it is added again.
    /// - Returns: true when its consumers finished within `grace`.
    @discardableResult
    public func removeOrganization(organizationID: UUID, grace: Duration = .seconds(10)) -> Bool {
        let consumers: [RelayConsumer] = state.withLock { state in
            state.organizations[organizationID] = nil
            return state.consumers.removeValue(forKey: organizationID) ?? []
        }
        return consumers.map(\.thread).stop(by: .now + grace)
    }

    private func launch(organizationID: UUID, queuePrefix: String) {
        let queues = RelayQueues(prefix: queuePrefix)
        let exchange = options.exchange, declare = options.declareQueues
        let setup: (AMQPChannel) throws -> Void = { channel in
            if declare { try queues.declare(exchange: exchange, on: channel) }
        }
        let recorder = CommandRecorder(organizationID: organizationID, queuePrefix: queuePrefix, rules: options.validation,
                                       metrics: metrics, handoff: handoff, relayWakeup: relayWakeup, eventWakeup: eventWakeup, now: now)
        let acks = AckRecorder(organizationID: organizationID, queuePrefix: queuePrefix, metrics: metrics, eventWakeup: eventWakeup,
                               batchWindow: options.ackBatchWindow)
        let organizationLog = log.with(["org.id": organizationID.uuidString.lowercased()])
        let consumers = [recorder as any RelayBatchHandler, acks].map { handler in
            RelayConsumer(handler: handler, amqpURL: amqpURL, databaseURL: databaseURL, options: options, metrics: metrics,
                          log: organizationLog, setup: setup)
        }
        let launched: Bool = state.withLock { state in
            guard !state.stopped, state.organizations[organizationID] != nil, state.consumers[organizationID] == nil else { return false }
            state.consumers[organizationID] = consumers
            return true
        }
        guard launched else { return }
        for consumer in consumers { consumer.start() }
    }
}
