/// How the purchase dispatcher paces itself (configuration keys `purchases.dispatch.*`).
public struct PurchaseDispatchOptions: Sendable, Equatable {
    /// Purchases claimed per round.
    public var batchSize = 32
    /// How often an idle dispatcher looks for due work (a submission in this process wakes it at once).
    public var idlePoll: Duration = .seconds(1)
    /// How long a claimed dispatch or poll belongs to its claimer; longer than one engine call
    /// can take, so that only a claimer that died loses it.
    public var lease: Duration = .seconds(60)
    /// Backoff of failed dispatches (per purchase, by its attempts): 1 s, 2 s, 4 s... up to 5 min.
    public var retryInitial: Duration = .seconds(1)
    public var retryMaximum: Duration = .seconds(300)
    /// The longest `Retry-After` honoured as given (a larger one is capped).
    public var maximumRetryAfter: Duration = .seconds(600)
    /// Polls in a row that find no workflow before the purchase is marked failed.
    public var notFoundPollsBeforeFailing = 3
    /// After a database failure, the dispatcher waits this long, doubling up to the maximum.
    public var failureBackoffInitial: Duration = .milliseconds(200)
    public var failureBackoffMaximum: Duration = .seconds(10)

    public init() {}
}
