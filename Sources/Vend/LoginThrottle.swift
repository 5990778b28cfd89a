import Foundation
import Postgres
import Timekeeping

/// Counts failed logins per account and per client address in the database (so every replica
/// sees them) and locks a key that passed its limit, per `LoginThrottlePolicy`.
struct LoginThrottle: Sendable {
    let policy: LoginThrottlePolicy

    /// The keys a login attempt counts against.
    static func keys(email: String, address: String) -> [String] {
        ["account:" + email, "address:" + address]
    }

    /// Seconds until the latest lock on any of `keys` ends, or nil when none is locked.
    func lockedFor(keys: [String], on connection: PostgresConnection) throws -> Int? {
        let row = try connection.queryPrepared(
            """
            SELECT ceil(extract(epoch FROM max(locked_until) - now()))::bigint
            FROM vend_login_throttle WHERE key = ANY($1) AND locked_until > now()
            """, [.textArray(keys)]).first
        return try row?.optionalInt(0)
    }

    /// Counts one failure against each key, restarting a key's count when its window has passed,
    /// and locks a key that reaches its limit.
    func recordFailure(email: String, address: String, on connection: PostgresConnection) throws {
        let limits = [policy.accountLimit, policy.addressLimit]
        for (key, limit) in zip(Self.keys(email: email, address: address), limits) {
            try connection.queryPrepared(
                """
                INSERT INTO vend_login_throttle AS t (key, failures, window_started_at, locked_until)
                VALUES ($1, 1, now(), CASE WHEN $2 <= 1 THEN now() + make_interval(secs => $4) END)
                ON CONFLICT (key) DO UPDATE SET
                    failures = CASE WHEN t.window_started_at < now() - make_interval(secs => $3) THEN 1 ELSE t.failures + 1 END,
                    window_started_at = CASE WHEN t.window_started_at < now() - make_interval(secs => $3) THEN now()
                                             ELSE t.window_started_at END,
                    locked_until = CASE
                        WHEN (CASE WHEN t.window_started_at < now() - make_interval(secs => $3) THEN 1 ELSE t.failures + 1 END) >= $2
                        THEN now() + make_interval(secs => $4) ELSE t.locked_until END
                """, [.text(key), .int(Int64(limit)), .double(policy.window.inSeconds), .double(policy.lockout.inSeconds)])
        }
    }

    /// Forgets the account's failures after a successful login. The address keeps its count, so
    /// one valid account cannot be used to reset an address that is guessing at others.
    func recordSuccess(email: String, on connection: PostgresConnection) throws {
        try connection.queryPrepared("DELETE FROM vend_login_throttle WHERE key = $1", [.text("account:" + email)])
    }
}
