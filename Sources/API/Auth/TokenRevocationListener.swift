import Crypto
import Messaging
import Observability
import Postgres
import Synchronization

/// Keeps the daemon's token caches true to the database: on a connection of its own it LISTENs
/// to `channel` (migrations 0040 and 0023 notify it when a token is revoked, changed or deleted,
/// an organisation renamed or deleted, or a customer-event API key revoked) and makes every
/// cache forget what changed, at once.
///
/// Whenever it (re)connects it forgets everything, since notifications sent while it was not
/// listening are lost; until then the cache lifetime bounds how long a revoked token works.
public final class TokenRevocationListener: Service {
    public static let channel = "tradingd_api_tokens"
    public let name = "token-revocations"
    private let caches: [any TokenCacheInvalidation]
    private let pool: PostgresPool
    private let logger: Logger
    private let retryDelay: Duration
    private let thread = WorkerThread(name: "token-revocations")
    private let listening = Atomic<Bool>(false)

    /// True while it listens (after the cache was emptied for the current connection).
    public var isListening: Bool { listening.load(ordering: .acquiring) }

    /// - Parameter pool: only its URL and session settings are used (`openConnection`): the
    ///   listening connection is not leased from it.
    public init(caches: [any TokenCacheInvalidation], pool: PostgresPool, logger: Logger = .silent, retryDelay: Duration = .seconds(1)) {
        self.caches = caches
        self.pool = pool
        self.logger = logger
        self.retryDelay = retryDelay
    }

    public convenience init(authenticator: Authenticator, pool: PostgresPool, logger: Logger = .silent, retryDelay: Duration = .seconds(1)) {
        self.init(caches: [authenticator], pool: pool, logger: logger, retryDelay: retryDelay)
    }

    public func start() throws {
        thread.start { [self] in run() }
    }

    public func stop(by deadline: ContinuousClock.Instant) -> Bool {
        thread.stop(by: deadline)
    }

    private func run() {
        while !thread.isStopping {
            do {
                let connection = try pool.openConnection()
                try connection.listen(Self.channel)
                forgetAll()
                listening.store(true, ordering: .releasing)
                for cache in caches { cache.listenerChanged(listening: true) }
                while !thread.isStopping {
                    for notification in try connection.notifications(waitingUpTo: .milliseconds(250)) {
                        apply(notification)
                    }
                }
            } catch {
                listening.store(false, ordering: .releasing)
                for cache in caches { cache.listenerChanged(listening: false) }
                forgetAll()
                logger.warning("token revocation listener: connection failed; retrying", ["error": "\(error)"])
                thread.sleep(retryDelay)
            }
        }
        listening.store(false, ordering: .releasing)
        for cache in caches { cache.listenerChanged(listening: false) }
    }

    private func apply(_ notification: PostgresNotification) {
        if let hash = Hex.decode(notification.payload), hash.count == 32 {
            for cache in caches { cache.forget(tokenHash: hash) }
        } else {
            forgetAll()
        }
    }

    private func forgetAll() {
        for cache in caches { cache.forgetAll() }
    }
}
