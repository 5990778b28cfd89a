import Crypto
import Messaging
import Observability
import Postgres
import Synchronization

/// Keeps an `Authenticator`'s cache true to the database: on a connection of its own it LISTENs
/// to `channel` (migration 0040 notifies it when a token is revoked, changed or deleted, or an
/// organisation renamed or deleted) and makes the authenticator forget what changed, at once.
///
/// Whenever it (re)connects it forgets everything, since notifications sent while it was not
/// listening are lost; until then the cache lifetime bounds how long a revoked token works.
public final class TokenRevocationListener: Service {
    public static let channel = "tradingd_api_tokens"
    public let name = "token-revocations"
    private let authenticator: Authenticator
    private let pool: PostgresPool
    private let logger: Logger
    private let retryDelay: Duration
    private let thread = WorkerThread(name: "token-revocations")
    private let listening = Atomic<Bool>(false)

    /// True while it listens (after the cache was emptied for the current connection).
    public var isListening: Bool { listening.load(ordering: .acquiring) }

    /// - Parameter pool: only its URL and session settings are used (`openConnection`): the
    ///   listening connection is not leased from it.
    public init(authenticator: Authenticator, pool: PostgresPool, logger: Logger = .silent, retryDelay: Duration = .seconds(1)) {
        self.authenticator = authenticator
        self.pool = pool
        self.logger = logger
        self.retryDelay = retryDelay
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
                authenticator.forgetAll()
                listening.store(true, ordering: .releasing)
                while !thread.isStopping {
                    for notification in try connection.notifications(waitingUpTo: .milliseconds(250)) {
                        apply(notification)
                    }
                }
            } catch {
                listening.store(false, ordering: .releasing)
                authenticator.forgetAll()
                logger.warning("token revocation listener: connection failed; retrying", ["error": "\(error)"])
                thread.sleep(retryDelay)
            }
        }
        listening.store(false, ordering: .releasing)
    }

    private func apply(_ notification: PostgresNotification) {
        if let hash = Hex.decode(notification.payload), hash.count == 32 {
            authenticator.forget(tokenHash: hash)
        } else {
            authenticator.forgetAll()
        }
    }
}
