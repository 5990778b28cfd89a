import TradingCore

/// Settings of the command relay; defaults suit production, tests shorten the waits.
public struct RelayOptions: Sendable {
    /// The topic exchange partners publish to and events go out through.
    public var exchange = "trading"
    /// Declare each organisation's command queues (and `.dlq`s) and `P.events` before consuming.
    /// For local runs and tests; in production, enabling an organisation declares its topology.
    public var declareQueues = false
    public var prefetch: UInt16 = 200
    /// Most deliveries recorded in one statement / acked with one `multiple` ack.
    public var maximumBatch = 100
    /// How long the acks consumer waits after an ack for more before storing the batch (each
    /// batch costs its statements and one flush of the write-ahead log).
    public var ackBatchWindow: Duration = .milliseconds(10)
    public var validation = CommandValidationRules()

    /// Relay worker threads per service; a worker relays up to `relayBatch` commands per round,
    /// claiming each right before it sends it.
    public var relayWorkers = 4
    public var relayBatch = 4
    /// How long a claimed command is left to its claimer before another worker or replica may
    /// claim it again (only after a crash or a stall mid-call). A claim is extended to the ESM
    /// client's whole call deadline plus `leaseMargin` when that is longer.
    public var claimLease: Duration = .seconds(60)
    /// Added to the ESM client's call deadline when a claim is extended to cover the call.
    public var leaseMargin: Duration = .seconds(5)
    /// How often workers search for due commands this process did not hand over (retries,
    /// leases that ran out, commands recorded by other replicas or before a restart); idle
    /// workers also wake this often.
    public var pollInterval: Duration = .milliseconds(500)
    /// Commands recorded here go to the workers in memory (`RelayHandoff`); the due search leaves
    /// a command never claimed alone for this long after it was recorded, so the two do not race
    /// for it. It is the longest a command recorded by a replica that then died waits extra.
    public var handoffGrace: Duration = .seconds(1)
    /// Most command ids waiting in the handoff; the due search finds the rest.
    public var handoffCapacity = 10_000
    /// Backoff between relay attempts while the ESM is unreachable or answers 5xx.
    public var retryInitial: Duration = .seconds(1)
    public var retryMaximum: Duration = .seconds(60)
    /// A command without `validUntil` still not relayed this long after it arrived is FAILED.
    public var maximumRelayWindow: Duration = .seconds(24 * 3600)
    /// RELAYED commands without any ack this long after relaying get ackStatus TIMEOUT.
    public var ackTimeout: Duration = .seconds(300)
    /// How often the ack-timeout sweep runs.
    public var sweepInterval: Duration = .seconds(1)

    /// Most events published (and confirmed) as one batch.
    public var eventBatch = 500
    /// How long an event the broker could not route stays parked before it is tried again (its
    /// queue may be back, e.g. after the organisation was enabled again).
    public var parkedEventRetryInterval: Duration = .seconds(300)
    /// How often the outbox publisher looks for events no local signal announced.
    public var eventPollInterval: Duration = .milliseconds(500)

    /// How often a batch whose halves are refused with the same SQLSTATE is retried whole before
    /// it is bisected all the way (see `DataErrorBisection`).
    public var commonRefusalRetries = 5

    /// Backoff after a database or broker failure of a consumer or worker.
    public var failureBackoffInitial: Duration = .milliseconds(200)
    public var failureBackoffMaximum: Duration = .seconds(10)

    public init() {}
}
