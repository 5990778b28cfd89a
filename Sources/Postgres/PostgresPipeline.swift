import CPostgres

/// One connection in libpq's pipeline mode, non-blocking, driven by the event loop that watches
/// its socket: statements are queued without waiting for the server (`send`), leave in one write
/// per batch (`flush`, which ends the batch with a sync point), and their results are read as the
/// socket becomes readable (`readAvailable`), each handed to its completion in order.
///
/// Many requests thus share one connection and one server process, with no thread waiting on
/// either: the server reads a batch of statements at once and answers them back to back.
///
/// For read-only statements only: the session is `default_transaction_read_only`, so a write
/// fails instead of running. A batch is one implicit transaction; when one of its statements
/// fails, the later ones are not run and complete with `.pipelineAborted`. When the connection
/// breaks, every statement still waiting completes with `.connectionLost`: the caller may run
/// it again elsewhere, since nothing it did can have changed anything.
///
/// Not thread-safe: one thread (the event loop) makes every call and receives every completion.
public final class PostgresPipeline {
    public typealias Completion = (Result<PostgresRows, PostgresError>) -> Void

    private enum Expected {
        case prepare(PreparedStatementCache.Key)
        case query(Completion)
        /// A query whose completion ran.
        case answered
        case sync
    }

    private let connection: PostgresConnection
    /// What the server will answer, in order (a queue: `head` is the next).
    private var expected: [Expected?] = []
    private var head = 0
    /// The result of `expected[head]` arrived; its terminating NULL is awaited.
    private var awaitingEnd = false
    private var unsyncedStatements = 0
    public private(set) var failure: PostgresError?
    /// Statements sent whose results have not arrived.
    public private(set) var pendingCount = 0
    /// The connection's socket, for the event loop's epoll set.
    public let socket: Int32

    /// Prepares `connection`'s session for a pipeline (read-only, and named so in
    /// `pg_stat_activity`); blocking, so call it before handing the connection to an event loop.
    public static func prepareSession(of connection: PostgresConnection) throws {
        try connection.executeScript("SET default_transaction_read_only = on; SET application_name = '\(applicationName)'")
    }

    /// The `application_name` of a pipeline's session.
    public static let applicationName = "tradingd-pipeline"


    /// Takes over `connection` (prepared with `prepareSession`), switching it to non-blocking
    /// pipeline mode; no I/O. The connection must not be used otherwise afterwards.
    public init(taking connection: PostgresConnection) throws {
        let handle = connection.rawHandle
        guard PQsetnonblocking(handle, 1) == 0, PQenterPipelineMode(handle) == 1 else {
            throw PostgresError(code: .connectionFailed, message: "pipeline mode: \(connection.lastErrorMessage)")
        }
        self.connection = connection
        socket = PQsocket(handle)
    }

    /// Queues `sql` with `parameters` (prepared on this connection the first time), to be sent by
    /// the next `flush`. `completion` runs later, from `readAvailable` or when the connection
    /// fails, never from inside this call. Throws (and never calls `completion`) when the
    /// pipeline has failed or a parameter cannot be encoded.
    public func send(_ sql: String, _ parameters: [PostgresValue], completion: @escaping Completion) throws(PostgresError) {
        if let failure { throw failure }
        let encoded: EncodedParameters
        do {
            encoded = try EncodedParameters(parameters)
        } catch let error as PostgresError {
            throw error
        } catch {
            throw PostgresError(code: .invalidParameter, message: "\(error)")
        }
        let handle = connection.rawHandle
        let key = PreparedStatementCache.Key(sql: sql, types: encoded.typeSignature)
        var name = connection.preparedStatements.name(for: key)
        var sent = true
        if name == nil, let new = connection.preparedStatements.insert(key) {
            sent = encoded.withPointers { p in PQsendPrepare(handle, new, sql, p.count, p.types) == 1 }
            if sent { expected.append(.prepare(key)) }
            name = new
        }
        if sent {
            sent = encoded.withPointers { p in
                if let name { return PQsendQueryPrepared(handle, name, p.count, p.values, p.lengths, p.formats, 0) == 1 }
                return PQsendQueryParams(handle, sql, p.count, p.types, p.values, p.lengths, p.formats, 0) == 1  // cache full
            }
        }
        guard sent else {
            let error = connection.connectionError()
            fail(error)
            throw error
        }
        expected.append(.query(completion))
        pendingCount += 1
        unsyncedStatements += 1
    }

    /// Ends the batch sent since the last call with a sync point and writes what the socket
    /// takes. True when output remains: call again once the socket is writable.
    public func flush() -> Bool {
        guard failure == nil else { return false }
        if unsyncedStatements > 0 {
            guard PQpipelineSync(connection.rawHandle) == 1 else {
                fail(connection.connectionError())
                return false
            }
            expected.append(.sync)
            unsyncedStatements = 0
        }
        return flushOutput()
    }

    /// Reads what the server sent and completes every statement whose result is whole. True
    /// when output remains to be written (see `flush`).
    public func readAvailable() -> Bool {
        guard failure == nil else { return false }
        guard PQconsumeInput(connection.rawHandle) == 1 else {
            fail(PostgresError(code: .connectionLost, message: connection.lastErrorMessage))
            return false
        }
        completeArrivedResults()
        if failure == nil, PQstatus(connection.rawHandle) != CONNECTION_OK {
            fail(PostgresError(code: .connectionLost, message: connection.lastErrorMessage))
        }
        return failure == nil && flushOutput()
    }

    /// Fails the pipeline: every statement waiting completes with `error`; later sends throw it.
    public func fail(_ error: PostgresError) {
        guard failure == nil else { return }
        failure = error
        let waiting = expected[head...].compactMap { entry -> Completion? in
            if case .query(let completion) = entry { return completion }
            return nil
        }
        expected = []
        head = 0
        pendingCount = 0
        for completion in waiting { completion(.failure(error)) }
    }

    private func flushOutput() -> Bool {
        switch PQflush(connection.rawHandle) {
        case 0: return false
        case 1: return true
        default:
            fail(PostgresError(code: .connectionLost, message: connection.lastErrorMessage))
            return false
        }
    }

    private func completeArrivedResults() {
        let handle = connection.rawHandle
        while failure == nil, head < expected.count, PQisBusy(handle) == 0 {
            guard let raw = PQgetResult(handle) else {
                guard awaitingEnd else { return }
                awaitingEnd = false
                popHead()
                continue
            }
            let result = PostgresResult(taking: raw)
            if awaitingEnd { continue }  // a further result of the same statement: none is expected
            switch expected[head] {
            case .sync:
                popHead()  // PGRES_PIPELINE_SYNC: no NULL follows
            case .prepare(let key):
                if result.status != PGRES_COMMAND_OK { connection.preparedStatements.remove(key) }
                awaitingEnd = true
            case .query(let completion):
                awaitingEnd = true
                pendingCount -= 1
                let outcome = outcome(of: result)
                expected[head] = .answered  // its NULL is still to come; a failure now must not complete it again
                completion(outcome)
                // The session ended: what follows can only be lost too.
                if case .failure(let error) = outcome, error.code == .connectionLost { fail(error) }
            case .answered, nil:
                preconditionFailure("pipeline queue out of step")
            }
        }
    }

    private func outcome(of result: borrowing PostgresResult) -> Result<PostgresRows, PostgresError> {
        switch result.status {
        case PGRES_TUPLES_OK, PGRES_COMMAND_OK: .success(result.rows())
        case PGRES_PIPELINE_ABORTED:
            .failure(PostgresError(code: .pipelineAborted, message: "not run: an earlier statement of its batch failed"))
        default:
            // The server ending the session (shutdown, terminated backend) reports it as an
            // error of the statement in flight: that statement was lost with the connection.
            .failure(Self.endsSession(result.error()) ? result.error(code: .connectionLost) : result.error())
        }
    }

    private static func endsSession(_ error: PostgresError) -> Bool {
        guard let state = error.sqlState else { return false }
        return state.hasPrefix("57P") || state.hasPrefix("08")
    }

    private func popHead() {
        expected[head] = nil
        head += 1
        if head == expected.count {
            expected.removeAll(keepingCapacity: true)
            head = 0
        }
    }
}
