import AMQP
import Foundation
import Messaging
import Observability
import Postgres
import Synchronization
import Timekeeping

/// Publishes the `command_events` outbox to `P.events` with publisher confirms, oldest first,
/// on a thread of its own: read, publish, confirm, then mark, with no transaction open across
/// the broker call (a broker outage delays events but never drops one, and never holds back
/// vacuum). An event the broker returns as unroutable (its organisation's `P.events` is gone) is
/// parked with the broker's reason, and the others go on (docs/RELIABILITY.md).
///
/// One publisher at a time per database (a session advisory lock on its connection): with
/// several replicas, a command's events still leave in order.
final class EventOutboxPublisher: @unchecked Sendable {
    // @unchecked Sendable: `publisher` is used and `database` touched only by the publisher's
    // thread; other threads use only `thread` (whose stop request also stops `publisher`).
    /// Advisory lock key of the outbox publisher ("relayevt" in ASCII).
    static let lockKey: Int64 = 0x72656C6179657674

    private let databaseURL: String
    private let options: RelayOptions
    private let organizationIDs: @Sendable () -> [UUID]
    private let metrics: RelayMetrics
    private let log: Logger
    private let wakeup: RelayWakeup
    private let publisher: ReconnectingPublisher
    let thread: WorkerThread
    private var database: PostgresConnection?
    /// Whether `database` holds the outbox's advisory lock.
    private var holdsLock = false
    /// Events the broker confirmed whose "published" mark the next round's read writes (one
    /// statement per round instead of two); written at once when the publisher stops.
    private var confirmed: [Int64] = []

    init(amqpURL: AMQPURL, databaseURL: String, options: RelayOptions, organizationIDs: @escaping @Sendable () -> [UUID],
         metrics: RelayMetrics, log: Logger, wakeup: RelayWakeup) {
        self.databaseURL = databaseURL
        self.options = options
        self.organizationIDs = organizationIDs
        self.metrics = metrics
        let log = log.with(["relay.outbox": "events"])
        self.log = log
        self.wakeup = wakeup
        publisher = ReconnectingPublisher(
            url: amqpURL, options: .init(heartbeat: .seconds(30), connectionName: "tradingd relay events"),
            backoff: Backoff(initial: options.failureBackoffInitial, maximum: options.failureBackoffMaximum),
            onEvent: { event in
                if case .connected(let reconnects) = event, reconnects > 0 { metrics.update { $0.amqpReconnects += 1 } }
                if case .retrying(let attempt, _, let error) = event {
                    log.warning("event publisher reconnecting", ["attempt": String(attempt), "error": String(describing: error)])
                }
            })
        let publisher = publisher
        thread = WorkerThread(name: "relay events", onStop: { publisher.stop(); wakeup.signal() })
    }

    func start() {
        thread.start { [self] in run() }
    }

    private var stopping: Bool { thread.isStopping }

    private func run() {
        var failureBackoff = options.failureBackoffInitial
        var roundWasFull = false
        while !stopping {
            // After a round that published, the next one starts at once: it carries the marks.
            if !roundWasFull, confirmed.isEmpty { wakeup.wait(timeout: options.eventPollInterval) }
            if stopping { break }
            do {
                let published = try publishRound()
                roundWasFull = published >= options.eventBatch
                failureBackoff = options.failureBackoffInitial
            } catch {
                if stopping { break }
                database = nil
                roundWasFull = false
                metrics.update { $0.recordFailure(error) }
                log.warning("event publishing failed; retrying", ["error": String(describing: error)])
                thread.sleep(failureBackoff)
                failureBackoff = min(failureBackoff * 2, options.failureBackoffMaximum)
            }
        }
        markConfirmedOnStop()
        publisher.close()
        database = nil
    }

    /// Writes the marks still held, so that a clean stop publishes nothing again after a restart
    /// (a crash before them does: partners dedupe on `eventId`).
    private func markConfirmedOnStop() {
        guard !confirmed.isEmpty, let database, database.isHealthy, holdsLock else { return }
        do {
            try database.queryPrepared(Self.markPublishedStatement, [.intArray(confirmed.map { $0 })])
            settleConfirmed()
        } catch {
            log.warning("events published but not marked; they are published again after a restart", ["error": String(describing: error)])
        }
    }

    /// Counts the confirmed events once their marks are written (so the metric never shows an
    /// event as published while its row still looks unpublished) and forgets them.
    private func settleConfirmed() {
        guard !confirmed.isEmpty else { return }
        let count = confirmed.count
        metrics.update { $0.eventsPublished += count }
        confirmed = []
    }

    /// Marks confirmed events published (and no longer parked).
    private static let markPublishedStatement = """
        UPDATE command_events SET published_at = clock_timestamp(), parked_at = NULL, park_error = NULL
        WHERE id = ANY($1::bigint[])
        """

    /// Publishes one batch of unpublished events; returns how many it settled (published or
    /// parked). No transaction is open while the broker is called: the rows are read, published
    /// and confirmed, and marked by the next round's read (one statement: the marks of the last
    /// round, and the next rows, which leave out those just marked since the statement's snapshot
    /// still shows them unpublished). One publisher at a time
    /// per database holds a session advisory lock on its connection, so a command's events leave
    /// in order even with several replicas; a crash between confirm and mark publishes a batch
    /// again (partners dedupe on `eventId`).
    private func publishRound() throws -> Int {
        let organizations = organizationIDs()
        guard !organizations.isEmpty || !confirmed.isEmpty else { return 0 }
        let connection = try lockedConnection()
        guard let connection else {
            // Another replica is publishing; it publishes the unmarked events again.
            confirmed = []
            return 0
        }
        guard !organizations.isEmpty else {
            if !confirmed.isEmpty { try connection.queryPrepared(Self.markPublishedStatement, [.intArray(confirmed.map { $0 })]) }
            settleConfirmed()
            return 0
        }
        // Parked events whose wait is over go first (they are older), within the same batch size.
        let rows = try connection.queryPrepared("""
            WITH marked AS (
                UPDATE command_events SET published_at = clock_timestamp(), parked_at = NULL, park_error = NULL
                WHERE id = ANY($4::bigint[])
            )
            (SELECT id, routing_key, body->>'correlationId' AS correlation_id,
                    (body || jsonb_build_object('eventId', id::text))::text AS body
             FROM command_events
             WHERE published_at IS NULL AND parked_at < now() - make_interval(secs => $3) AND organization_id = ANY($1::uuid[])
               AND id <> ALL($4::bigint[])
             ORDER BY id LIMIT $2)
            UNION ALL
            (SELECT id, routing_key, body->>'correlationId' AS correlation_id,
                    (body || jsonb_build_object('eventId', id::text))::text AS body
             FROM command_events
             WHERE published_at IS NULL AND parked_at IS NULL AND organization_id = ANY($1::uuid[])
               AND id <> ALL($4::bigint[])
             ORDER BY id LIMIT $2)
            ORDER BY id LIMIT $2
            """, [.uuidArray(organizations), .int(Int64(options.eventBatch)), .double(options.parkedEventRetryInterval.inSeconds),
                  .intArray(confirmed.map { $0 })])
        settleConfirmed()
        guard !rows.isEmpty else { return 0 }
        var ids: [Int64] = []
        var messages: [AMQPOutgoingMessage] = []
        for row in rows {
            let id = Int64(try row.int("id"))
            ids.append(id)
            var properties = AMQPProperties.json(messageId: Self.messageID(id), correlationId: try row.optionalString("correlation_id"))
            properties.type = "command.status"
            messages.append(AMQPOutgoingMessage(exchange: options.exchange, routingKey: try row.string("routing_key"),
                                                body: Array(try row.string("body").utf8), properties: properties, mandatory: true))
        }
        // Retries through reconnects until confirmed; what the broker could not route comes back.
        let returned = try publisher.publishReportingReturns(messages)
        var parked: [Int64: String] = [:]
        for message in returned {
            guard let id = message.properties.messageId.flatMap(Self.eventID) else { continue }
            parked[id] = "the broker could not route the event (\(message.replyCode) \(message.replyText)) "
                + "to \(message.exchange) with routing key \(message.routingKey)"
        }
        let published = ids.filter { parked[$0] == nil }
        confirmed = published
        if !parked.isEmpty {
            let parkedIDs = parked.keys.sorted()
            try connection.queryPrepared("""
                UPDATE command_events AS e SET parked_at = clock_timestamp(), park_error = p.error
                FROM unnest($1::bigint[], $2::text[]) AS p(id, error) WHERE e.id = p.id
                """, [.intArray(parkedIDs.map { $0 }), .textArray(parkedIDs.map { parked[$0] })])
            for id in parkedIDs {
                log.error("event parked: unroutable", ["event.id": String(id), "error": parked[id] ?? ""])
            }
        }
        metrics.update {
            $0.eventsParked += parked.count
        }
        return rows.count
    }

    /// The publisher's connection, holding the outbox's session advisory lock; nil while another
    /// replica holds it.
    private func lockedConnection() throws -> PostgresConnection? {
        if let database, database.isHealthy, holdsLock { return database }
        if database?.isHealthy != true {
            holdsLock = false
            let fresh = try PostgresConnection(url: databaseURL)
            try RelayWorker.preferIndexScans(fresh)
            // A lost "published" mark only publishes an event again (partners dedupe on eventId).
            try RelayWorker.commitWithoutWaitingForDisk(fresh)
            database = fresh
        }
        guard let database else { return nil }
        holdsLock = try database.queryPrepared("SELECT pg_try_advisory_lock($1)", [.int(Self.lockKey)]).singleRow()?.bool(0) == true
        return holdsLock ? database : nil
    }

    static func messageID(_ eventID: Int64) -> String { "command-event-\(eventID)" }

    static func eventID(_ messageID: String) -> Int64? {
        messageID.hasPrefix("command-event-") ? Int64(messageID.dropFirst("command-event-".count)) : nil
    }
}
