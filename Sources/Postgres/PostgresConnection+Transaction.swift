/// Transactions: BEGIN/COMMIT around a closure, ROLLBACK when it throws; nested calls use
/// savepoints, so a store method can open a transaction whether or not its caller did.
extension PostgresConnection {
    public enum IsolationLevel: String, Sendable {
        case readCommitted = "READ COMMITTED"
        case repeatableRead = "REPEATABLE READ"
        case serializable = "SERIALIZABLE"
    }

    /// Runs `body` in a transaction and commits; rolls back and rethrows when `body` throws.
    ///
    /// - Throws: the body's error; a commit error (e.g. a serialization failure, 40001: retry the
    ///   whole transaction when `isRetriable`); `.transactionAborted` when the body swallowed a
    ///   failed statement, since PostgreSQL then turns COMMIT into ROLLBACK.
    /// - Note: inside another `transaction`, this one becomes a savepoint and `isolation` is ignored.
    @discardableResult
    public func transaction<T>(
        isolation: IsolationLevel = .readCommitted, _ body: (PostgresConnection) throws -> T
    ) throws -> T {
        if transactionDepth > 0 { return try savepoint(body) }
        try execute("BEGIN ISOLATION LEVEL \(isolation.rawValue)")
        transactionDepth = 1
        defer { transactionDepth = 0 }
        let value: T
        do {
            value = try body(self)
        } catch {
            _ = try? execute("ROLLBACK")  // a lost connection rolls back by itself; keep the body's error
            throw error
        }
        let commit = try query("COMMIT")
        if commit.commandTag == "ROLLBACK" {
            throw PostgresError(
                code: .transactionAborted, message: "COMMIT rolled back: a statement failed earlier in the transaction",
                sqlState: "25P02")
        }
        return value
    }

    private func savepoint<T>(_ body: (PostgresConnection) throws -> T) throws -> T {
        let name = "tradingd_savepoint_\(transactionDepth)"
        try execute("SAVEPOINT \(name)")
        transactionDepth += 1
        defer { transactionDepth -= 1 }
        do {
            let value = try body(self)
            try execute("RELEASE SAVEPOINT \(name)")
            return value
        } catch {
            _ = try? execute("ROLLBACK TO SAVEPOINT \(name)")
            _ = try? execute("RELEASE SAVEPOINT \(name)")
            throw error
        }
    }
}
