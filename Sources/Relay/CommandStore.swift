import Foundation
import Postgres
import Timekeeping
import TradingCore

/// The statements of the command relay over `command_log` (Migrations/0004_commands.sql).
///
/// Status and ack changes need no explicit event writes: the table's triggers add a row to the
/// `command_events` outbox in the same transaction as every change partners see.
enum CommandStore {
    /// A validated command about to be recorded.
    struct NewCommand: Sendable {
        let command: Command
        let plantID: UUID
        let siteID: String?
        let status: CommandStatus
        let rejectionReason: String?
        let routingKey: String
    }

    /// The organisation's plants named by `plantIDs` (with their ESM id) or by ESM id (`siteIDs`).
    struct PlantIndex: Sendable {
        var esmIDByPlant: [UUID: String?] = [:]
        var plantBySite: [String: UUID] = [:]

        enum Resolution: Equatable {
            /// Our plant, and the site id to record (the ESM's id the command goes to).
            case plant(UUID, siteID: String?)
            /// No plant of the organisation has this id (or ESM id).
            case unknown
            /// `plantId` names a plant of ours whose ESM link is not the given `siteId`: the
            /// command would go to another plant than the one the log shows, so it is refused.
            case siteMismatch(plantID: UUID, esmID: String?)
        }

        func resolve(_ command: Command) -> Resolution {
            if let plantID = command.plantID {
                guard let esmID = esmIDByPlant[plantID] else { return .unknown }
                if let siteID = command.siteID, siteID != esmID { return .siteMismatch(plantID: plantID, esmID: esmID) }
                return .plant(plantID, siteID: esmID)
            }
            guard let siteID = command.siteID, let plantID = plantBySite[siteID] else { return .unknown }
            return .plant(plantID, siteID: siteID)
        }
    }

    static func plants(organizationID: UUID, for commands: [Command], on connection: PostgresConnection) throws -> PlantIndex {
        let plantIDs = Set(commands.compactMap(\.plantID)), siteIDs = Set(commands.compactMap(\.siteID))
        var index = PlantIndex()
        guard !plantIDs.isEmpty || !siteIDs.isEmpty else { return index }
        let rows = try connection.queryPrepared(
            "SELECT id, esm_plant_id FROM plants WHERE organization_id = $1 AND (id = ANY($2::uuid[]) OR esm_plant_id = ANY($3::text[]))",
            [.uuid(organizationID), .uuidArray(plantIDs.map { $0 }), .textArray(siteIDs.map { $0 })])
        for row in rows {
            let id = try row.uuid("id"), esmID = try row.optionalString("esm_plant_id")
            index.esmIDByPlant[id] = .some(esmID)
            if let esmID { index.plantBySite[esmID] = id }
        }
        return index
    }

    /// Records commands (one statement); a messageId the organisation already used is skipped.
    /// - Returns: the messageIds actually inserted, with the id each command got.
    static func insert(_ commands: [NewCommand], organizationID: UUID, queuePrefix: String,
                       on connection: PostgresConnection) throws -> [String: UUID] {
        guard !commands.isEmpty else { return [:] }
        let rows = try connection.queryPrepared("""
            INSERT INTO command_log (organization_id, queue_prefix, plant_id, message_id, correlation_id, command_type,
                                     payload, routing_key, site_id, status, rejection_reason, valid_until)
            SELECT $1, $2, t.plant_id, t.message_id, t.correlation_id, t.command_type, t.payload::jsonb, t.routing_key,
                   t.site_id, t.status, t.rejection_reason, t.valid_until
            FROM unnest($3::uuid[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[],
                        $11::text[], $12::timestamptz[])
                AS t(plant_id, message_id, correlation_id, command_type, payload, routing_key, site_id, status,
                     rejection_reason, valid_until)
            ON CONFLICT (organization_id, message_id) DO NOTHING
            RETURNING message_id, id
            """, [
            .uuid(organizationID), .text(queuePrefix),
            .uuidArray(commands.map(\.plantID)), .textArray(commands.map(\.command.messageID)),
            .textArray(commands.map(\.command.correlationID)), .textArray(commands.map(\.command.commandType.rawValue)),
            .textArray(commands.map(\.command.payloadJSON)), .textArray(commands.map(\.routingKey)),
            .textArray(commands.map(\.siteID)), .textArray(commands.map(\.status.rawValue)),
            .textArray(commands.map(\.rejectionReason)), .timestamptzArray(commands.map { $0.command.validUntil?.foundationDate }),
        ])
        return try rows.reduce(into: [:]) { inserted, row in inserted[try row.string(0)] = try row.uuid(1) }
    }

    // MARK: Relay

    /// A PENDING command claimed for one attempt: only the claimer holding `claimToken` may record
    /// its outcome.
    struct DueCommand: Sendable {
        let id: UUID
        /// Written with the lease; every outcome statement requires it (fencing).
        let claimToken: UUID
        let organizationID: UUID
        /// The ESM's id of the plant: the recorded siteId, else the plant's ESM link, else our id.
        let esmPlantID: String
        let messageID: String
        let correlationID: String
        let commandType: CommandType
        let payloadJSON: String
        let validUntil: Date?
        let attempts: Int
        let createdAt: Date
        /// `validUntil` has passed (checked on the database clock when claimed, just before sending).
        let isExpired: Bool
        /// No `validUntil`, and older than the maximum relay window.
        let isOverdue: Bool

        /// The ESM's `Idempotency-Key`: the command's own id, unique across organisations (a
        /// partner's messageId is unique only within its organisation), and the same for every
        /// attempt at this command.
        var idempotencyKey: String { id.uuidString.lowercased() }
    }

    /// Claims up to `limit` due commands found by searching `command_log_due` in due order (the
    /// relay's due search, for what the in-process handoff does not deliver: retries, leases that
    /// ran out, commands recorded by another replica or before a restart): rows found with `FOR
    /// UPDATE SKIP LOCKED` (replicas claiming at the same time get disjoint sets) get a lease,
    /// i.e. their `next_attempt_at` moves `lease` ahead, and a fresh claim token, in the same
    /// statement. No lock is held while the ESM is called; another worker or replica claims the
    /// command again only once the lease ran out (the claimer died or stalled mid-call), and then
    /// sends it under the same idempotency key; the earlier claimer's outcome statements no
    /// longer match the token and change nothing. A retry is never scheduled past `valid_until`,
    /// so an expiring command is due in time to be marked EXPIRED.
    ///
    /// A command never claimed is left alone for `handoffGrace` after it was recorded: the
    /// process that recorded it handed it to its own workers (`claim(id:)`), and a search taking
    /// it first would only cost a search.
    ///
    /// The organisation test is wrapped in `IS TRUE` so the planner cannot answer it from the
    /// (organization_id, message_id) index and must walk the small partial `command_log_due`
    /// index in order: a bitmap over every command of the organisation costs milliseconds per
    /// claim once the log is large.
    static func claimDue(organizationIDs: [UUID], limit: Int, lease: Duration, maximumRelayWindow: Duration,
                         handoffGrace: Duration = .zero, on connection: PostgresConnection) throws -> [DueCommand] {
        let token = UUID()
        let rows = try connection.queryPrepared(dueSearchStatement, [
            .uuidArray(organizationIDs), .int(Int64(limit)), .double(maximumRelayWindow.inSeconds), .double(lease.inSeconds),
            .uuid(token), .double(handoffGrace.inSeconds),
        ])
        return try rows.map { try dueCommand($0, token: token) }.sorted { $0.createdAt < $1.createdAt }
    }

    /// Claims the command `id` (handed over in process by the consumer that recorded it, see
    /// `RelayHandoff`) by its primary key, on exactly the terms of `claimDue`: only while it is
    /// PENDING, due (no other claimer's lease running) and of one of `organizationIDs`, with a
    /// lease and a fresh claim token. Its cost does not depend on how many commands went through
    /// recently.
    /// - Returns: nil when the command is not claimable now (a due search here or in another
    ///   replica claimed it first, it is no longer PENDING, or its organisation is not relayed).
    static func claim(id: UUID, organizationIDs: [UUID], lease: Duration, maximumRelayWindow: Duration,
                      on connection: PostgresConnection) throws -> DueCommand? {
        let token = UUID()
        let row = try connection.queryPrepared(claimByIDStatement, [
            .uuidArray(organizationIDs), .uuid(id), .double(maximumRelayWindow.inSeconds), .double(lease.inSeconds), .uuid(token),
        ]).singleRow()
        return try row.map { try dueCommand($0, token: token) }
    }

    /// `markRelayed(relayed)` and `claim(id: next, ...)` in one statement, each on exactly its own
    /// terms (the RELAYED only under `relayed`'s claim token, the claim as `claim(id:)`), so that a
    /// worker relaying handed-over commands back to back needs one round trip per command for
    /// both. They commit together, as soon as the ESM answered `relayed`: nothing waits longer
    /// than it did with two statements.
    /// - Returns: `relayed`'s latency as `markRelayed` returns it, and the command claimed (nil
    ///   when `next` was not claimable now).
    static func markRelayed(_ relayed: DueCommand, claimingNext id: UUID, organizationIDs: [UUID], lease: Duration,
                            maximumRelayWindow: Duration,
                            on connection: PostgresConnection) throws -> (relayedLatency: Double?, claimed: DueCommand?) {
        let token = UUID()
        let row = try connection.queryPrepared(markRelayedAndClaimStatement, [
            .uuidArray(organizationIDs), .uuid(id), .double(maximumRelayWindow.inSeconds), .double(lease.inSeconds), .uuid(token),
            .uuid(relayed.id), .uuid(relayed.claimToken),
        ]).singleRow()
        guard let row else { return (nil, nil) }
        let claimed = try row.optionalUUID("id") == nil ? nil : try dueCommand(row, token: token)
        return (try row.optionalDouble("relayed_latency"), claimed)
    }

    private static let markRelayedAndClaimStatement = """
        WITH relayed AS (
        \(markRelayedUpdate(id: "$6", token: "$7"))
        ), claimed AS (
        \(claimStatement(selecting: claimByIDSelection))
        )
        SELECT (SELECT latency FROM relayed) AS relayed_latency, claimed.*
        FROM (VALUES (1)) AS one LEFT JOIN claimed ON true
        """

    private static let dueSearchStatement = claimStatement(selecting: """
            SELECT id FROM command_log
            WHERE status = 'PENDING' AND next_attempt_at <= now() AND (organization_id = ANY($1::uuid[])) IS TRUE
              AND (claim_token IS NOT NULL OR next_attempt_at <= now() - make_interval(secs => $6))
            ORDER BY next_attempt_at
            LIMIT $2
            FOR UPDATE SKIP LOCKED
            """)

    private static let claimByIDStatement = claimStatement(selecting: claimByIDSelection)

    private static let claimByIDSelection = """
            SELECT id FROM command_log
            WHERE id = $2 AND (status = 'PENDING') IS TRUE AND next_attempt_at <= now() AND organization_id = ANY($1::uuid[])
            FOR UPDATE SKIP LOCKED
            """

    /// The lease-taking update shared by both claims; `due` selects and locks the rows to claim
    /// ($3: the maximum relay window, $4: the lease, $5: the claim token, both in seconds).
    private static func claimStatement(selecting due: String) -> String {
        """
        WITH due AS (
        \(due)
        )
        UPDATE command_log AS c SET next_attempt_at = clock_timestamp() + make_interval(secs => $4), claim_token = $5
        FROM due, plants AS p
        WHERE c.id = due.id AND p.id = c.plant_id
        RETURNING c.id, c.organization_id, coalesce(c.site_id, p.esm_plant_id, p.id::text) AS esm_plant_id, c.message_id,
                  c.correlation_id, c.command_type, c.payload::text AS payload, c.valid_until, c.attempts, c.created_at,
                  coalesce(c.valid_until <= clock_timestamp(), false) AS expired,
                  (c.valid_until IS NULL AND c.created_at < now() - make_interval(secs => $3)) AS overdue
        """
    }

    private static func dueCommand(_ row: PostgresRow, token: UUID) throws -> DueCommand {
        DueCommand(
            id: try row.uuid("id"), claimToken: token, organizationID: try row.uuid("organization_id"),
            esmPlantID: try row.string("esm_plant_id"),
            messageID: try row.string("message_id"), correlationID: try row.string("correlation_id"),
            commandType: CommandType(rawValue: try row.string("command_type")) ?? .deviceCommand,
            payloadJSON: try row.string("payload"), validUntil: try row.optionalDate("valid_until"),
            attempts: try row.int("attempts"), createdAt: try row.date("created_at"), isExpired: try row.bool("expired"),
            isOverdue: try row.bool("overdue"))
    }

    // Statements on one command by its id (the claim by id, the lease extension, the outcomes)
    // test its status wrapped in `IS TRUE`, so the planner cannot prove the `command_log_due`
    // predicate and serve them from that partial index (which it otherwise may, as a walk of
    // every PENDING entry, dead ones included, filtered by id): only the primary key can.

    /// Moves the claim's lease to `lease` from now, while the claim is still the caller's.
    /// - Returns: false when another worker claimed the command since (or it is no longer PENDING).
    static func extendLease(_ command: DueCommand, lease: Duration, on connection: PostgresConnection) throws -> Bool {
        try connection.queryPrepared("""
            UPDATE command_log SET next_attempt_at = clock_timestamp() + make_interval(secs => $3)
            WHERE id = $1 AND claim_token = $2 AND (status = 'PENDING') IS TRUE
            """, [.uuid(command.id), .uuid(command.claimToken), .double(lease.inSeconds)]).affectedRows == 1
    }

    // Outcomes apply only to a command still PENDING and still claimed with the caller's token:
    // after a lease ran out, a second claimer owns the command, and a terminal status is never
    // replaced.

    /// RELAYED after the ESM's 202. Leaves the ack columns alone: an ack may already be there
    /// (the ESM can acknowledge before its 202 arrives here).
    /// - Returns: seconds from recording to now (the relay latency), nil when the command was no
    ///   longer PENDING or no longer the caller's.
    static func markRelayed(_ command: DueCommand, on connection: PostgresConnection) throws -> Double? {
        try connection.queryPrepared(markRelayedStatement, [.uuid(command.id), .uuid(command.claimToken)]).singleRow()?.double(0)
    }

    private static let markRelayedStatement = markRelayedUpdate(id: "$1", token: "$2")

    /// The RELAYED update, its latency as `latency`; `id` and `token` name its parameters.
    private static func markRelayedUpdate(id: String, token: String) -> String {
        """
        UPDATE command_log SET status = 'RELAYED', relayed_at = clock_timestamp(), attempts = attempts + 1, last_error = NULL
        WHERE id = \(id) AND claim_token = \(token) AND (status = 'PENDING') IS TRUE
        RETURNING extract(epoch FROM clock_timestamp() - created_at)::float8 AS latency
        """
    }

    /// A terminal status with its reason (REJECTED, EXPIRED, FAILED).
    /// - Returns: false when the command was no longer PENDING or no longer the caller's.
    @discardableResult
    static func markTerminal(_ command: DueCommand, status: CommandStatus, reason: String, countsAsAttempt: Bool,
                             on connection: PostgresConnection) throws -> Bool {
        try connection.queryPrepared("""
            UPDATE command_log SET status = $3, rejection_reason = $4, attempts = attempts + $5
            WHERE id = $1 AND claim_token = $2 AND (status = 'PENDING') IS TRUE
            """, [.uuid(command.id), .uuid(command.claimToken), .text(status.rawValue), .text(reason),
                  .int(countsAsAttempt ? 1 : 0)]).affectedRows == 1
    }

    /// Still PENDING: the next attempt after `delay`.
    /// - Returns: false when the command was no longer PENDING or no longer the caller's.
    @discardableResult
    static func scheduleRetry(_ command: DueCommand, after delay: Duration, error: String,
                              on connection: PostgresConnection) throws -> Bool {
        try connection.queryPrepared("""
            UPDATE command_log SET attempts = attempts + 1, last_error = $4,
                                   next_attempt_at = least(clock_timestamp() + make_interval(secs => $3), valid_until)
            WHERE id = $1 AND claim_token = $2 AND (status = 'PENDING') IS TRUE
            """, [.uuid(command.id), .uuid(command.claimToken), .double(delay.inSeconds),
                  .text(String(error.prefix(1000)))]).affectedRows == 1
    }

    // MARK: Acknowledgements

    enum AckOutcome: Sendable, Equatable {
        /// Recorded; seconds from the command's recording to now.
        case recorded(latency: Double)
        /// A known command whose final ack is already in (an ACCEPTED arriving after EXECUTED).
        case superseded
        /// No command of the organisation has this correlationId (nor this messageId).
        case unknownCommand
    }

    /// Records an acknowledgement on the newest command of the organisation with its
    /// correlationId (or, failing that, its messageId), whatever its status: an ack may arrive
    /// before the relay recorded the ESM's answer, and the relay's update keeps it. A non-final
    /// ack (ACCEPTED) never replaces a final one (acks may arrive out of order).
    ///
    /// One statement, so the command's row is locked only while it runs: run outside a
    /// transaction, it never keeps a relay worker waiting to record the ESM's answer.
    static func recordAck(_ ack: CommandAck, organizationID: UUID, on connection: PostgresConnection) throws -> AckOutcome {
        let row = try connection.queryPrepared("""
            WITH by_correlation AS (
                SELECT id FROM command_log WHERE organization_id = $1 AND correlation_id = $2
                ORDER BY created_at DESC LIMIT 1
            ), target AS (
                SELECT id FROM by_correlation
                UNION ALL
                SELECT id FROM command_log
                WHERE organization_id = $1 AND message_id = $2 AND NOT EXISTS (SELECT 1 FROM by_correlation)
            ), updated AS (
                UPDATE command_log AS c
                SET ack_status = $3, executed_at = coalesce($4, c.executed_at), acked_at = clock_timestamp(),
                    rejection_reason = CASE WHEN $3 IN ('REJECTED', 'FAILED') THEN coalesce($5, c.rejection_reason)
                                            ELSE c.rejection_reason END
                FROM target
                WHERE c.id = target.id
                  AND NOT (coalesce(c.ack_status IN ('EXECUTED', 'REJECTED', 'FAILED'), false)
                           AND $3 NOT IN ('EXECUTED', 'REJECTED', 'FAILED'))
                RETURNING extract(epoch FROM clock_timestamp() - c.created_at)::float8 AS latency
            )
            SELECT (SELECT count(*) FROM target) AS found, (SELECT latency FROM updated) AS latency
            """, [.uuid(organizationID), .text(ack.correlationID), .text(ack.status.rawValue), .init(ack.executedAt?.foundationDate),
                  .init(ack.reason)]).singleRow()
        guard let row, try row.int("found") > 0 else { return .unknownCommand }
        guard let latency = try row.optionalDouble("latency") else { return .superseded }
        return .recorded(latency: latency)
    }

    /// Records a batch of acknowledgements in arrival order with as few statements as that order
    /// allows, each with exactly the effect of `recordAck` on its own: the batch is cut into
    /// rounds in which no correlationId occurs twice (a command's ACCEPTED and EXECUTED in one
    /// batch land in two rounds, in order), and each round is one statement over arrays. Each
    /// round commits on its own, so rows stay locked only while one statement runs; the rounds
    /// before the last commit without waiting for the disk and the last one waits, which flushes
    /// the write-ahead log past all of them (it is sequential): once this returns, every ack of
    /// the batch is durable, as the broker ack that follows requires.
    ///
    /// Two acks of one round that reach the same command by different ids (one by its
    /// correlationId, one by its messageId) are not applied in one statement: the later one is
    /// recorded on its own right after its round.
    /// - Returns: one outcome per ack, in order.
    static func recordAcks(_ acks: [CommandAck], organizationID: UUID, on connection: PostgresConnection) throws -> [AckOutcome] {
        var occurrences: [String: Int] = [:]
        var rounds: [[Int]] = []
        for (index, ack) in acks.enumerated() {
            let round = occurrences[ack.correlationID, default: 0]
            occurrences[ack.correlationID] = round + 1
            if round == rounds.count { rounds.append([]) }
            rounds[round].append(index)
        }
        var outcomes = [AckOutcome](repeating: .unknownCommand, count: acks.count)
        for (number, round) in rounds.enumerated() {
            let batch = round.map { acks[$0] }
            let waitsForDisk = number == rounds.count - 1
            let rows = try connection.queryPrepared(recordAcksStatement, [
                .uuid(organizationID), .textArray(batch.map(\.correlationID)), .textArray(batch.map(\.status.rawValue)),
                .timestamptzArray(batch.map { $0.executedAt?.foundationDate }), .textArray(batch.map(\.reason)),
                .bool(waitsForDisk),
            ])
            var sameCommand: [Int] = []
            for row in rows {
                let index = round[try row.int("n") - 1]
                if try !row.bool("found") {
                    outcomes[index] = .unknownCommand
                } else if try !row.bool("applied_here") {
                    sameCommand.append(index)
                } else if let latency = try row.optionalDouble("latency") {
                    outcomes[index] = .recorded(latency: latency)
                } else {
                    outcomes[index] = .superseded
                }
            }
            // One at a time, in arrival order, each committing synchronously (the session's
            // setting), so the flush after the last round still holds.
            for index in sameCommand.sorted() {
                outcomes[index] = try recordAck(acks[index], organizationID: organizationID, on: connection)
            }
        }
        return outcomes
    }

    /// `recordAck`'s statement over arrays (one ack per correlationId). $6: whether this
    /// statement's commit waits for the disk. Waiting needs a write in the transaction itself:
    /// PostgreSQL flushes at commit only when the transaction wrote to the log (a transaction id
    /// alone, as from `txid_current()`, commits without flushing), so the waiting statement also
    /// logs a transactional message, once, even when no ack of its round changed a row.
    private static let recordAcksStatement = """
        WITH acks AS (
            SELECT * FROM unnest($2::text[], $3::text[], $4::timestamptz[], $5::text[])
                WITH ORDINALITY AS a(correlation_id, status, executed_at, reason, n)
        ), targets AS (
            SELECT a.*, coalesce(
                (SELECT c.id FROM command_log AS c WHERE c.organization_id = $1 AND c.correlation_id = a.correlation_id
                 ORDER BY c.created_at DESC LIMIT 1),
                (SELECT c.id FROM command_log AS c WHERE c.organization_id = $1 AND c.message_id = a.correlation_id)) AS command_id
            FROM acks AS a
        ), first_per_command AS (
            SELECT DISTINCT ON (command_id) * FROM targets WHERE command_id IS NOT NULL ORDER BY command_id, n
        ), updated AS (
            UPDATE command_log AS c
            SET ack_status = f.status, executed_at = coalesce(f.executed_at, c.executed_at), acked_at = clock_timestamp(),
                rejection_reason = CASE WHEN f.status IN ('REJECTED', 'FAILED') THEN coalesce(f.reason, c.rejection_reason)
                                        ELSE c.rejection_reason END
            FROM first_per_command AS f
            WHERE c.id = f.command_id
              AND NOT (coalesce(c.ack_status IN ('EXECUTED', 'REJECTED', 'FAILED'), false)
                       AND f.status NOT IN ('EXECUTED', 'REJECTED', 'FAILED'))
            RETURNING f.n, extract(epoch FROM clock_timestamp() - c.created_at)::float8 AS latency
        )
        SELECT t.n, t.command_id IS NOT NULL AS found, (f.n IS NOT NULL OR t.command_id IS NULL) AS applied_here, u.latency,
               CASE WHEN $6 THEN set_config('synchronous_commit', 'on', true)
                                 || (SELECT pg_logical_emit_message(true, 'tradingd.relay', 'acks durable')::text)
                    ELSE set_config('synchronous_commit', 'off', true) END AS commit_mode
        FROM targets AS t LEFT JOIN first_per_command AS f USING (n) LEFT JOIN updated AS u USING (n)
        ORDER BY t.n
        """

    /// Gives `TIMEOUT` to RELAYED commands without any ack `timeout` after relaying.
    /// - Returns: how many timed out.
    static func timeOutAcks(organizationIDs: [UUID], timeout: Duration, on connection: PostgresConnection) throws -> Int {
        try connection.queryPrepared("""
            UPDATE command_log SET ack_status = 'TIMEOUT'
            WHERE id IN (SELECT id FROM command_log
                         WHERE status = 'RELAYED' AND ack_status IS NULL AND (organization_id = ANY($1::uuid[])) IS TRUE
                           AND relayed_at < now() - make_interval(secs => $2)
                         ORDER BY relayed_at LIMIT 1000 FOR UPDATE SKIP LOCKED)
            """, [.uuidArray(organizationIDs), .double(timeout.inSeconds)]).affectedRows
    }
}
