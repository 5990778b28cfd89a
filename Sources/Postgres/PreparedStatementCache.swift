import CPostgres

/// Named prepared statements of one connection, keyed by SQL text and parameter types.
struct PreparedStatementCache {
    struct Key: Hashable {
        let sql: String
        let types: [UInt32]
    }

    /// Bounded so that a caller generating SQL text cannot grow the server session without limit.
    static let capacity = 256
    private var names: [Key: String] = [:]
    private var nextNumber = 0

    func name(for key: Key) -> String? { names[key] }

    /// Records a new statement and returns its name; nil when the cache is full and must be emptied.
    mutating func insert(_ key: Key) -> String? {
        guard names.count < Self.capacity else { return nil }
        nextNumber += 1
        let name = "tradingd_\(nextNumber)"
        names[key] = name
        return name
    }

    mutating func removeAll() { names.removeAll() }
}

extension PostgresConnection {
    /// Like `query`, but prepares the statement once per connection (`PQprepare`) and then runs it
    /// by name (`PQexecPrepared`), skipping the server's parse and plan on every later call. For
    /// hot statements run many times on long-lived connections.
    @discardableResult
    public func queryPrepared(_ sql: String, _ parameters: [PostgresValue] = []) throws -> PostgresRows {
        let encoded = try EncodedParameters(parameters)
        let key = PreparedStatementCache.Key(sql: sql, types: encoded.typeSignature)
        return try exclusively {
            do {
                return try runPrepared(key, encoded)
            } catch let error as PostgresError where error.sqlState == "26000" {
                // Someone ran DEALLOCATE or DISCARD on this session: prepare again, once.
                preparedStatements.removeAll()
                return try runPrepared(key, encoded)
            }
        }
    }

    private func runPrepared(_ key: PreparedStatementCache.Key, _ encoded: EncodedParameters) throws -> PostgresRows {
        let name = try preparedName(for: key, encoded)
        return try encoded.withPointers { p in
            try check(PQexecPrepared(rawHandle, name, p.count, p.values, p.lengths, p.formats, 0)).rows()
        }
    }

    private func preparedName(for key: PreparedStatementCache.Key, _ encoded: EncodedParameters) throws -> String {
        if let name = preparedStatements.name(for: key) { return name }
        var name = preparedStatements.insert(key)
        if name == nil {
            _ = try check(PQexec(rawHandle, "DEALLOCATE ALL"))
            preparedStatements.removeAll()
            name = preparedStatements.insert(key)
        }
        guard let name else { preconditionFailure("an empty statement cache refused an insert") }
        do {
            try encoded.withPointers { p in
                _ = try check(PQprepare(rawHandle, name, key.sql, p.count, p.types))
            }
        } catch {
            preparedStatements.remove(key)
            throw error
        }
        return name
    }
}

extension PreparedStatementCache {
    mutating func remove(_ key: Key) { names[key] = nil }
}
