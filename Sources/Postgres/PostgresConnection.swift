import CPostgres
import Foundation
import Synchronization
import Timekeeping

/// One blocking libpq connection (`PGconn`), owned by this object and closed in deinit (`PQfinish`).
///
/// Every call blocks its thread until the server answers, so callers run it on their own threads,
/// not on Swift concurrency's cooperative pool. Values are always sent as parameters
/// (`PQexecParams`), never spliced into SQL text.
///
/// `@unchecked Sendable` invariant: a `PGconn` has no locking of its own, so a connection is used by
/// one thread at a time: held by one owner, or leased to one caller at a time by `PostgresPool`.
/// Moving it between threads is fine; overlapping calls are a programming error and trap (checked
/// with an atomic flag) instead of corrupting libpq's state.
public final class PostgresConnection: @unchecked Sendable {
    private let handle: OpaquePointer
    private let inUse = Atomic<Bool>(false)
    /// Nesting depth of `transaction` calls (0: none open), for savepoints.
    var transactionDepth = 0
    var preparedStatements = PreparedStatementCache()

    /// Connects from a `postgresql://user:password@host:port/database?sslmode=...` URL.
    ///
    /// libpq parses the URL itself, so every conninfo keyword works as a query parameter
    /// (`sslmode`, `connect_timeout`, `application_name`, `options`...). The session is set to UTC
    /// and ISO dates, which decoding relies on.
    public init(url: String) throws {
        guard url.hasPrefix("postgresql://") || url.hasPrefix("postgres://") else {
            throw PostgresError(code: .invalidURL, message: "expected a postgresql:// URL")
        }
        // Defaults first: with expand_dbname, the URL's own settings override earlier keywords.
        let settings = [
            ("client_encoding", "UTF8"), ("application_name", "tradingd"), ("connect_timeout", "10"), ("dbname", url),
        ]
        let raw = Self.connect(settings)
        guard let raw else { throw PostgresError(code: .connectionFailed, message: "libpq could not allocate a connection") }
        guard PQstatus(raw) == CONNECTION_OK else {
            let message = String(cString: PQerrorMessage(raw)).trimmingTrailingNewlines()
            PQfinish(raw)
            throw PostgresError(code: .connectionFailed, message: message)
        }
        handle = raw
        PQsetNoticeProcessor(handle, { _, _ in }, nil)  // NOTICEs are not errors; keep stderr clean
        try configureSession()
    }

    deinit { PQfinish(handle) }

    /// Runs one statement with `$1, $2...` parameters and returns its rows.
    @discardableResult
    public func query(_ sql: String, _ parameters: [PostgresValue] = []) throws -> PostgresRows {
        let encoded = try EncodedParameters(parameters)
        return try exclusively {
            try encoded.withPointers { p in
                try check(PQexecParams(handle, sql, p.count, p.types, p.values, p.lengths, p.formats, 0)).rows()
            }
        }
    }

    /// Runs one statement and returns the number of rows it inserted, updated or deleted.
    @discardableResult
    public func execute(_ sql: String, _ parameters: [PostgresValue] = []) throws -> Int {
        try query(sql, parameters).affectedRows
    }

    /// True while the connection is up and not inside an unfinished command. A broken connection
    /// stays broken until `reset()`; a pool discards it instead.
    public var isHealthy: Bool {
        PQstatus(handle) == CONNECTION_OK && PQtransactionStatus(handle) != PQTRANS_UNKNOWN
            && PQtransactionStatus(handle) != PQTRANS_ACTIVE
    }

    /// True between BEGIN and COMMIT/ROLLBACK (including a failed, not yet rolled back transaction).
    public var isInTransaction: Bool {
        let status = PQtransactionStatus(handle)
        return status == PQTRANS_INTRANS || status == PQTRANS_INERROR
    }

    /// Closes and reopens the connection with the same parameters (`PQreset`); prepared statements
    /// and session settings are set up again.
    public func reset() throws {
        try exclusively {
            PQreset(handle)
            preparedStatements.removeAll()
            transactionDepth = 0
            guard PQstatus(handle) == CONNECTION_OK else {
                throw PostgresError(code: .connectionFailed, message: lastErrorMessage)
            }
        }
        try configureSession()
    }

    /// Cancels any statement of this session running longer than `timeout` (SQLSTATE 57014);
    /// nil removes the limit. Lasts for the session, so a pooled connection keeps it.
    public func setStatementTimeout(_ timeout: Duration?) throws {
        let milliseconds = timeout.map(\.wholeMilliseconds)
        try query("SELECT set_config('statement_timeout', $1, false)", [.text(String(milliseconds ?? 0))])
    }

    /// Sets the session's `lock_timeout` (nil or zero: wait for ever); a statement that waits
    /// longer for a lock fails with SQLSTATE 55P03.
    public func setLockTimeout(_ timeout: Duration?) throws {
        let milliseconds = timeout.map { $0.components.seconds * 1000 + $0.components.attoseconds / 1_000_000_000_000_000 }
        try query("SELECT set_config('lock_timeout', $1, false)", [.text(String(milliseconds ?? 0))])
    }

    /// Quotes an identifier (database, table, role name) for the places where SQL cannot take a
    /// parameter, such as `CREATE DATABASE`.
    public static func quoteIdentifier(_ identifier: String) throws -> String {
        guard !identifier.isEmpty, !identifier.utf8.contains(0) else {
            throw PostgresError(code: .invalidParameter, message: "an identifier must be non-empty and free of NUL")
        }
        return "\"" + identifier.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    // MARK: Internals shared with the other files of this target

    /// Runs SQL text that may hold several statements and no parameters (`PQexec`): migration
    /// files and fixed session setup only, never text with values in it.
    func executeScript(_ sql: String) throws {
        try exclusively { _ = try check(PQexec(handle, sql)) }
    }

    /// Marks the connection busy for one libpq exchange; overlapping use traps.
    func exclusively<T>(_ body: () throws -> T) rethrows -> T {
        let acquired = inUse.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged
        precondition(acquired, "PostgresConnection used by two threads at once")
        defer { inUse.store(false, ordering: .releasing) }
        return try body()
    }

    /// Turns a libpq result into a `PostgresResult` or the matching error.
    func check(_ raw: OpaquePointer?) throws -> PostgresResult {
        guard let raw else { throw connectionError() }
        let result = PostgresResult(taking: raw)
        switch result.status {
        case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_EMPTY_QUERY:
            return result
        case PGRES_COPY_IN:
            _ = PQputCopyEnd(handle, "COPY FROM STDIN must go through copyFrom(_:rows:)")
            while let pending = PQgetResult(handle) { PQclear(pending) }
            throw PostgresError(code: .invalidParameter, message: "COPY FROM STDIN must go through copyFrom(_:rows:)")
        case PGRES_COPY_OUT, PGRES_COPY_BOTH:
            throw PostgresError(code: .invalidParameter, message: "COPY TO STDOUT is not supported")
        default:
            if PQstatus(handle) != CONNECTION_OK { throw connectionError() }
            throw result.error()
        }
    }

    var lastErrorMessage: String { String(cString: PQerrorMessage(handle)).trimmingTrailingNewlines() }

    func connectionError() -> PostgresError {
        PostgresError(code: PQstatus(handle) == CONNECTION_OK ? .server : .connectionLost, message: lastErrorMessage)
    }

    /// The raw handle for the other files of this target (COPY, prepared statements); only
    /// inside `exclusively`.
    var rawHandle: OpaquePointer { handle }

    /// `PQconnectdbParams` with NULL-terminated keyword and value lists; the copies die after it.
    private static func connect(_ settings: [(String, String)]) -> OpaquePointer? {
        let keywords: [UnsafeMutablePointer<CChar>?] = settings.map { strdup($0.0) }
        let values: [UnsafeMutablePointer<CChar>?] = settings.map { strdup($0.1) }
        defer {
            keywords.forEach { free($0) }
            values.forEach { free($0) }
        }
        let keywordList: [UnsafePointer<CChar>?] = keywords.map { UnsafePointer($0) } + [nil]
        let valueList: [UnsafePointer<CChar>?] = values.map { UnsafePointer($0) } + [nil]
        return PQconnectdbParams(keywordList, valueList, 1)
    }

    private func configureSession() throws {
        try executeScript(
            "SET TimeZone = 'UTC'; SET DateStyle = 'ISO, YMD'; SET extra_float_digits = 1; SET bytea_output = 'hex'")
    }
}

/// Parameters encoded once into one buffer (text values NUL-terminated, binary ones as they
/// are), with their type OIDs and, when any is binary, their lengths and formats.
struct EncodedParameters {
    /// The pointers libpq's `PQexecParams`/`PQexecPrepared`/`PQsendQueryPrepared` take: count,
    /// types, values, lengths and formats (the last two nil when every value is text).
    typealias Pointers = (count: Int32, types: UnsafePointer<UInt32>?, values: UnsafePointer<UnsafePointer<CChar>?>?,
                          lengths: UnsafePointer<Int32>?, formats: UnsafePointer<Int32>?)

    private var types: [UInt32] = []
    private var buffer: [UInt8] = []
    private var offsets: [Int?] = []
    private var lengths: [Int32] = []
    private var formats: [Int32] = []
    private var hasBinary = false

    init(_ parameters: [PostgresValue]) throws {
        guard parameters.count <= 65_535 else {
            throw PostgresError(code: .invalidParameter, message: "more than 65,535 parameters; use arrays or COPY")
        }
        types.reserveCapacity(parameters.count)
        offsets.reserveCapacity(parameters.count)
        lengths.reserveCapacity(parameters.count)
        formats.reserveCapacity(parameters.count)
        for parameter in parameters {
            types.append(parameter.typeOID)
            let start = buffer.count
            if case .binary(_, let bytes) = parameter {
                guard bytes.count <= Int(Int32.max) else {
                    throw PostgresError(code: .invalidParameter, message: "a binary parameter of more than 2 GiB")
                }
                buffer.append(contentsOf: bytes)
                offsets.append(start)
                lengths.append(Int32(bytes.count))
                formats.append(1)
                hasBinary = true
                continue
            }
            lengths.append(0)
            formats.append(0)
            guard try parameter.appendTextFormat(to: &buffer) else {
                offsets.append(nil)
                continue
            }
            offsets.append(start)
            buffer.append(0)
        }
    }

    var typeSignature: [UInt32] { types }

    func withPointers<T>(_ body: (Pointers) throws -> T) rethrows -> T {
        try buffer.withUnsafeBytes { bytes in
            let base = bytes.bindMemory(to: CChar.self).baseAddress
            let pointers: [UnsafePointer<CChar>?] = offsets.map { offset in offset.map { base! + $0 } }
            return try types.withUnsafeBufferPointer { typePointer in
                try pointers.withUnsafeBufferPointer { valuePointer in
                    try lengths.withUnsafeBufferPointer { lengthPointer in
                        try formats.withUnsafeBufferPointer { formatPointer in
                            try body((Int32(types.count), typePointer.baseAddress, valuePointer.baseAddress,
                                      hasBinary ? lengthPointer.baseAddress : nil, hasBinary ? formatPointer.baseAddress : nil))
                        }
                    }
                }
            }
        }
    }
}
