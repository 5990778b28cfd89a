/// An error from the PostgreSQL layer: the server's, libpq's, or this wrapper's own.
///
/// `description` is generic and safe to show to users; `message`, `detail` and `hint` carry the
/// server or library text and belong in logs only (they may name tables, values or hosts).
public struct PostgresError: Error, Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    /// What went wrong, independently of the SQLSTATE. New codes break no one.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case invalidURL, connectionFailed, connectionLost, server, transactionAborted
            case invalidParameter, decoding, poolTimeout, poolClosed, copyFailed
            case invalidMigration, changedMigration, failedMigration, pipelineAborted
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// The URL is not a `postgresql://` or `postgres://` URL.
        public static let invalidURL = Code(.invalidURL)
        /// Connecting (or reconnecting) failed: server down, wrong password, unknown database.
        public static let connectionFailed = Code(.connectionFailed)
        /// The connection broke while in use.
        public static let connectionLost = Code(.connectionLost)
        /// The server rejected a statement; see `sqlState`.
        public static let server = Code(.server)
        /// COMMIT found the transaction already aborted by an earlier, swallowed error.
        public static let transactionAborted = Code(.transactionAborted)
        /// A parameter cannot be sent (e.g. text with a NUL character, a date out of range).
        public static let invalidParameter = Code(.invalidParameter)
        /// A column cannot be decoded as the requested type, or is NULL where a value was required.
        public static let decoding = Code(.decoding)
        /// Every pooled connection stayed busy for the whole acquire timeout.
        public static let poolTimeout = Code(.poolTimeout)
        /// The pool was closed.
        public static let poolClosed = Code(.poolClosed)
        /// COPY FROM STDIN failed on the client side.
        public static let copyFailed = Code(.copyFailed)
        /// A migrations folder holds a file that is not a valid migration (name, duplicate, order).
        public static let invalidMigration = Code(.invalidMigration)
        /// An already-applied migration file changed since it was applied.
        public static let changedMigration = Code(.changedMigration)
        /// A migration's SQL failed; nothing of it was kept.
        public static let failedMigration = Code(.failedMigration)
        /// Not run: an earlier statement of the same pipeline batch failed (`PostgresPipeline`).
        public static let pipelineAborted = Code(.pipelineAborted)

        public var description: String { base.rawValue }
    }

    public let code: Code
    /// The five-character SQLSTATE when the server sent one (e.g. `23505` for a unique violation).
    public let sqlState: String?
    /// Server or library text, for logs.
    public let message: String
    public let detail: String?
    public let hint: String?
    /// The violated constraint's name, when the server reported one.
    public let constraintName: String?

    public init(
        code: Code, message: String, sqlState: String? = nil, detail: String? = nil,
        hint: String? = nil, constraintName: String? = nil
    ) {
        self.code = code
        self.message = message
        self.sqlState = sqlState
        self.detail = detail
        self.hint = hint
        self.constraintName = constraintName
    }

    /// True when the refusal is about the data sent (SQLSTATE classes 22 "data exception" and 23
    /// "integrity constraint violation", or a parameter this wrapper cannot encode): the same
    /// values fail again however often they are sent, so a batch is bisected to find them.
    public var isDataError: Bool {
        switch code {
        case .invalidParameter: return true
        case .server:
            guard let sqlState else { return false }
            return sqlState.hasPrefix("22") || sqlState.hasPrefix("23")
        default: return false
        }
    }

    /// True when trying again later (on a new connection or transaction) can succeed: every
    /// failure except a data error. A disk or memory shortage (53100, 53200), a read-only
    /// database (25006), statement and lock timeouts (57014, 55P03), a function missing while a
    /// migration runs (42883), a revoked grant (42501), a lost connection: none of them is the
    /// message's fault, so the message is retried with backoff and never dead-lettered.
    public var isRetriable: Bool {
        switch code {
        case .invalidParameter, .invalidURL, .poolClosed, .invalidMigration, .changedMigration, .failedMigration: return false
        default: return !isDataError
        }
    }

    /// True for a unique violation (SQLSTATE 23505).
    public var isUniqueViolation: Bool { sqlState == "23505" }

    public var description: String {
        if let sqlState { return "PostgresError(\(code), sqlState: \(sqlState))" }
        return "PostgresError(\(code))"
    }

    /// Everything known, for logs and test failures.
    public var debugDescription: String {
        var text = "\(description): \(message)"
        if let detail { text += " DETAIL: \(detail)" }
        if let hint { text += " HINT: \(hint)" }
        if let constraintName { text += " CONSTRAINT: \(constraintName)" }
        return text
    }
}
