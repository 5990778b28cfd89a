import CustomerData
import Foundation
import Postgres
import Users

/// Users' sales histories (`Migrations/0021_sales_history.sql`).
public struct SalesHistoryStore: Sendable {
    /// A user's profile and whole history, ordered by `fecha` (then `nit`, `emc`).
    public struct Profile: Sendable, Equatable {
        public let user: User
        public let history: [SalesHistoryItem]
    }

    public init() {}

    /// Merges `update` into the user's history, in one transaction: an item whose
    /// `(nit, fecha, emc)` is stored updates its `monto`, the others are added, nothing is
    /// removed. So the same request twice leaves the history as the first left it.
    /// - Returns: the profile after the merge, or nil when the organisation has no such user.
    public func merge(_ update: SalesHistoryUpdate, organizationID: UUID, on connection: PostgresConnection) throws -> Profile? {
        try connection.transaction { connection in
            guard let user = try UserStore().user(id: update.userID, organizationID: organizationID, on: connection) else {
                return nil
            }
            if !update.items.isEmpty {
                // In key order, so two requests merging the same keys cannot deadlock each other.
                let items = update.items.sorted { ($0.date, $0.nit, $0.company) < ($1.date, $1.nit, $1.company) }
                try connection.queryPrepared(
                    """
                    INSERT INTO user_sales_history (user_id, nit, fecha, emc, monto)
                    SELECT $1, t.nit, t.fecha, t.emc, t.monto
                    FROM unnest($2::text[], $3::timestamptz[], $4::text[], $5::numeric[]) AS t(nit, fecha, emc, monto)
                    ON CONFLICT (user_id, fecha, nit, emc) DO UPDATE SET monto = excluded.monto, updated_at = now()
                    WHERE user_sales_history.monto IS DISTINCT FROM excluded.monto
                    """,
                    [.uuid(user.id), .textArray(items.map(\.nit)), .timestamptzArray(items.map(\.date)),
                     .textArray(items.map(\.company)), .decimalArray(items.map(\.amount))])
            }
            return Profile(user: user, history: try history(userID: user.id, on: connection))
        }
    }

    /// The user's profile and history, or nil when the organisation has no such user.
    public func profile(userID: UUID, organizationID: UUID, on connection: PostgresConnection) throws -> Profile? {
        guard let user = try UserStore().user(id: userID, organizationID: organizationID, on: connection) else { return nil }
        return Profile(user: user, history: try history(userID: user.id, on: connection))
    }

    public func history(userID: UUID, on connection: PostgresConnection) throws -> [SalesHistoryItem] {
        try connection.queryPrepared(
            "SELECT nit, fecha, emc, monto FROM user_sales_history WHERE user_id = $1 ORDER BY fecha, nit, emc",
            [.uuid(userID)]
        ).map { row in
            SalesHistoryItem(nit: try row.string("nit"), amount: try row.decimal("monto"), date: try row.date("fecha"),
                             company: try row.string("emc"))
        }
    }
}
