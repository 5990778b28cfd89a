import Crypto
import Foundation
import Observability
import Postgres
import VendCore

/// E-mail and password logins (for login and verify-customer): throttled per account and per
/// address before any hash is computed, verified with PBKDF2 and a constant-time comparison, and
/// timed the same whether or not the account exists.
struct VendLogin: Sendable {
    enum Refusal: Error, Equatable {
        case badCredentials
        case throttled(retryAfterSeconds: Int)
    }

    let settings: VendSettings
    let users = VendUserStore()
    let throttle: LoginThrottle
    /// Verified against when the e-mail is unknown, so that case costs a PBKDF2 too.
    private let decoyHash: String
    let logger: Logger

    init(settings: VendSettings, logger: Logger) throws {
        self.settings = settings
        self.logger = logger
        throttle = LoginThrottle(policy: settings.throttle)
        decoyHash = try PasswordHash.make(Hex.encode(try SecureRandom.bytes(count: 16)), iterations: settings.passwordIterations)
    }

    /// The user whose credentials these are. `address` is the client's IP address (no port).
    func authenticate(_ login: LoginRequest, address: String, pool: PostgresPool) throws -> Result<VendUser, Refusal> {
        let keys = LoginThrottle.keys(email: login.email, address: address)
        if let seconds = try pool.withConnection({ try throttle.lockedFor(keys: keys, on: $0) }) {
            logger.warning("vend login throttled", ["vend.address": address])
            return .failure(.throttled(retryAfterSeconds: max(1, seconds)))
        }
        let stored = try pool.withConnection { try users.credentials(email: login.email, on: $0) }
        // The hash is computed outside any lease of a connection: it takes a while on purpose.
        let matches = try PasswordHash.verify(login.password, against: stored?.passwordHash ?? decoyHash)
        guard let stored, matches else {
            try pool.withConnection { try throttle.recordFailure(email: login.email, address: address, on: $0) }
            logger.info("vend login refused", ["vend.address": address])
            return .failure(.badCredentials)
        }
        try pool.withConnection { connection in
            try throttle.recordSuccess(email: login.email, on: connection)
            if PasswordHash.needsRehash(stored.passwordHash, iterations: settings.passwordIterations) {
                try users.rehash(userID: stored.user.id, password: login.password, iterations: settings.passwordIterations,
                                 on: connection)
            }
        }
        return .success(stored.user)
    }
}
