import AMQP
import Foundation
import Messaging
import Observability
import Postgres
import Synchronization
import Timekeeping

/// Publishes the `command_events` outbox to `P.events` with publisher confirms, oldest first,
/// on a thread of its own: events are marked published only after the broker confirmed them, in
/// the same transaction that read them, so a broker outage delays events but never drops one
/// (a crash between confirm and commit publishes a batch again: partners dedupe on `eventId`).
///
/// One publisher at a time per database (a transaction-scoped advisory lock): with several
/// replicas, a command's events still leave in order.
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
            if !roundWasFull { wakeup.wait(timeout: options.eventPollInterval) }
            if stopping { break }
            do {
                let published = try publishRound()
                roundWasFull = published >= options.eventBatch
                failureBackoff = options.failureBackoffInitial
            } catch {
                if stopping { break }
                database = nil
                roundWasFull = false
                metrics.update { $0.failures += 1 }
                log.warning("event publishing failed; retrying", ["error": String(describing: error)])
                thread.sleep(failureBackoff)
                failureBackoff = min(failureBackoff * 2, options.failureBackoffMaximum)
            }
        }
        publisher.close()
        database = nil
    }

    /// Publishes one batch of unpublished events; returns how many.
    private func publishRound() throws -> Int {
        let organizations = organizationIDs()
        guard !organizations.isEmpty else { return 0 }
        let connection: PostgresConnection
        if let database, database.isHealthy {
            connection = database
        } else {
            connection = try PostgresConnection(url: databaseURL)
            try RelayWorker.preferOrderedIndexScans(connection)  // `command_events_unpublished` churns likewise
            // A lost "published" mark only publishes an event again (partners dedupe on eventId).
            try RelayWorker.commitWithoutWaitingForDisk(connection)
            database = connection
        }
        let published = try connection.transaction { connection -> Int in
            guard try connection.queryPrepared("SELECT pg_try_advisory_xact_lock($1)", [.int(Self.lockKey)]).singleRow()?.bool(0) == true
            else { return 0 }  // another replica is publishing
            let rows = try connection.queryPrepared("""
                SELECT id, routing_key, body->>'correlationId' AS correlation_id,
                       (body || jsonb_build_object('eventId', id::text))::text AS body
                FROM command_events
                WHERE published_at IS NULL AND organization_id = ANY($1::uuid[])
                ORDER BY id LIMIT $2
                """, [.uuidArray(organizations), .int(Int64(options.eventBatch))])
            guard !rows.isEmpty else { return 0 }
            var ids: [Int64?] = []
            var messages: [AMQPOutgoingMessage] = []
            for row in rows {
                let id = Int64(try row.int("id"))
                ids.append(id)
                var properties = AMQPProperties.json(messageId: "command-event-\(id)", correlationId: try row.optionalString("correlation_id"))
                properties.type = "command.status"
                messages.append(AMQPOutgoingMessage(exchange: options.exchange, routingKey: try row.string("routing_key"),
                                                    body: Array(try row.string("body").utf8), properties: properties, mandatory: true))
            }
            // Retries through reconnects until confirmed; throws when stopped or unroutable.
            try publisher.publish(messages)
            try connection.queryPrepared("UPDATE command_events SET published_at = clock_timestamp() WHERE id = ANY($1::bigint[])",
                                   [.intArray(ids)])
            return rows.count
        }
        if published > 0 { metrics.update { $0.eventsPublished += published } }
        return published
    }

}
