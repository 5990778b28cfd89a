/// One statement and how to read its result, built by a store and run by whoever holds a
/// connection: a pooled `PostgresConnection` (`run`, blocking) or an event loop's
/// `PostgresPipeline` (`send`, non-blocking). The decoding is the store's, the same on both.
public struct PostgresQuery<Value>: Sendable {
    public let sql: String
    public let parameters: [PostgresValue]
    public let decode: @Sendable (PostgresRows) throws -> Value

    public init(_ sql: String, _ parameters: [PostgresValue], decode: @escaping @Sendable (PostgresRows) throws -> Value) {
        self.sql = sql
        self.parameters = parameters
        self.decode = decode
    }
}

extension PostgresConnection {
    /// Runs `query` as a prepared statement and decodes its rows.
    public func run<Value>(_ query: PostgresQuery<Value>) throws -> Value {
        try query.decode(queryPrepared(query.sql, query.parameters))
    }
}
