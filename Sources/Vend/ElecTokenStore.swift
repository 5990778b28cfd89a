import Crypto
import Foundation
import Postgres
import Timekeeping
import VendCore

/// elec_tokens: issued by verify-customer for one purchase, spent by the purchase itself.
struct ElecTokenStore: Sendable {
    /// Issues a token for `purchase` by `userID`. - Returns: the token (shown once) and its expiry.
    func issue(for purchase: VendPurchase, userID: UUID, lifetime: Duration,
               on connection: PostgresConnection) throws -> (token: String, expiresAt: Date) {
        let token = try VendTokenText.make(prefix: VendTokenText.elecPrefix)
        let row = try connection.queryPrepared(
            """
            INSERT INTO vend_elec_tokens (token_hash, user_id, trans_id, meter_number, amount, expires_at)
            VALUES ($1, $2, $3, $4, $5, now() + make_interval(secs => $6)) RETURNING expires_at
            """, [.bytea(SHA256.hash(token)), .uuid(userID), .text(purchase.transID), .text(purchase.meterNumber.digits),
                  .decimal(purchase.amount), .double(lifetime.inSeconds)])
        guard let expiresAt = try row.first?.date(0) else { throw VendStoreError.invalid("the elec_token was not stored") }
        return (token, expiresAt)
    }

    /// The grant behind `token`, locked until the caller's transaction ends (so two purchases
    /// presenting it are decided one after the other), with the database's clock; nil when unknown.
    func lockGrant(token: String, on connection: PostgresConnection) throws -> (grant: ElecTokenGrant, now: Date)? {
        guard let hash = VendTokenText.hash(token, prefix: VendTokenText.elecPrefix),
              let row = try connection.queryPrepared(
                """
                SELECT user_id, trans_id, meter_number, amount, expires_at, used_at, now(), token_hash
                FROM vend_elec_tokens WHERE token_hash = $1 FOR UPDATE
                """, [.bytea(hash)]).first, ConstantTime.equals(try row.bytes(7), hash) else { return nil }
        let purchase = VendPurchase(transID: try row.string(1), meterNumber: STSMeterNumber(unchecked: try row.string(2)),
                                    amount: try row.decimal(3))
        let grant = ElecTokenGrant(userID: try row.uuid(0), purchase: purchase, expiresAt: try row.date(4),
                                   usedAt: try row.optionalDate(5))
        return (grant, try row.date(6))
    }

    /// Marks the token spent; in the same transaction as the purchase it pays for.
    func markUsed(token: String, on connection: PostgresConnection) throws {
        guard let hash = VendTokenText.hash(token, prefix: VendTokenText.elecPrefix) else { return }
        try connection.queryPrepared("UPDATE vend_elec_tokens SET used_at = now() WHERE token_hash = $1", [.bytea(hash)])
    }

    /// Deletes tokens that expired more than a day ago. - Returns: how many.
    @discardableResult
    func deleteExpired(on connection: PostgresConnection) throws -> Int {
        try connection.execute("DELETE FROM vend_elec_tokens WHERE expires_at < now() - interval '1 day'")
    }
}
