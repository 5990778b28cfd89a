import AMQP
import Foundation
import Messaging
import Observability
import Postgres
import PurchaseCore
import Timekeeping

/// Consumes the AMQP workflow engine's status updates from `purchases.status` and applies them
/// to the purchases (forward only, as `PurchaseOutbox.applyWorkflowStatus` does). A delivery is
/// acked only after its update committed; one that can never apply (not JSON, no such purchase)
/// goes to `purchases.status.dlq` with the reason in `x-rejection-reason`, then is acked. While
/// the database is away nothing is acked and the consumer backs off.
public final class PurchaseStatusConsumer: @unchecked Sendable {
    // @unchecked Sendable: `consumer` and `database` are touched only by the consumer's thread.
    private let consumer: ReconnectingConsumer
    private let topology: PurchaseTopology
    private let databaseURL: String
    private let log: Logger
    private let metrics: MetricsRegistry?
    private let outbox = PurchaseOutbox()
    let thread: WorkerThread
    private var database: PostgresConnection?

    public init(amqpURL: AMQPURL, topology: PurchaseTopology, databaseURL: String, log: Logger, metrics: MetricsRegistry? = nil) {
        self.topology = topology
        self.databaseURL = databaseURL
        let log = log.with(["component": "purchase-status-consumer"])
        self.log = log
        self.metrics = metrics
        let consumer = ReconnectingConsumer(
            url: amqpURL, queue: topology.statusQueue, prefetch: 100,
            options: .init(connectionName: "tradingd purchase status"),
            setup: { channel in try topology.declare(on: channel) },
            onEvent: { event in
                if case .disconnected(let error) = event { log.warning("purchase status consumer lost its connection", ["error": "\(error)"]) }
            })
        self.consumer = consumer
        thread = WorkerThread(name: "purchase status consumer", onStop: { consumer.stop() })
        metrics?.register("tradingd_purchase_status_messages_total", kind: .counter,
                          help: "Status messages from the AMQP workflow engine by outcome (applied, dead_lettered)")
    }

    public func start() {
        thread.start { [self] in run() }
    }

    public func requestStop() { thread.requestStop() }

    @discardableResult
    public func waitUntilFinished(timeout: Duration) -> Bool { thread.waitUntilFinished(timeout: timeout) }

    private var stopping: Bool { thread.isStopping }

    private func run() {
        var backoff = Duration.milliseconds(200)
        var held: AMQPDelivery?
        while !stopping {
            do {
                let delivery: AMQPDelivery
                if let held { delivery = held } else {
                    guard let next = try consumer.nextDelivery(timeout: .milliseconds(500)) else { continue }
                    delivery = next
                }
                held = delivery
                try handle(delivery)
                held = nil
                backoff = .milliseconds(200)
            } catch let error as AMQPError {
                held = nil  // after a reconnect the broker redelivers it under a new tag
                if stopping { break }
                log.warning("purchase status consumer failed; retrying", ["error": "\(error)"])
                thread.sleep(backoff)
                backoff = min(backoff * 2, .seconds(10))
            } catch {
                database = nil  // the delivery stays held and is handled again
                log.warning("purchase status update not stored; retrying", ["error": String(reflecting: error)])
                thread.sleep(backoff)
                backoff = min(backoff * 2, .seconds(10))
            }
        }
        consumer.close()
        database = nil
    }

    private func handle(_ delivery: AMQPDelivery) throws {
        let message: WorkflowStatusMessage
        do {
            message = try WorkflowStatusMessage.decode(delivery.body)
        } catch {
            return try deadLetter(delivery, reason: error.reason, kind: "malformed")
        }
        let connection = try connection()
        let applied = try outbox.applyWorkflowStatus(message.purchaseID, status: message.status, message: message.error,
                                                     startedAt: message.startedAt, finishedAt: message.finishedAt,
                                                     nextPollAfter: nil, on: connection)
        guard let applied else {
            return try deadLetter(delivery, reason: "no purchase \(message.purchaseID.uuidString.lowercased())", kind: "unknown_purchase")
        }
        try consumer.ack(delivery)
        metrics?.increment("tradingd_purchase_status_messages_total", labels: ["outcome": "applied"])
        log.info("purchase status from the workflow engine", ["purchase.id": message.purchaseID.uuidString.lowercased(),
                                                              "reported": message.status.rawValue, "status": applied.rawValue])
    }

    private func deadLetter(_ delivery: AMQPDelivery, reason: String, kind: String) throws {
        let letter = DeadLetter(delivery, reason: reason, kind: kind, queue: topology.statusQueue,
                                deadLetterQueue: topology.statusDeadLetterQueue)
        try DeadLetterPublisher.publish([letter], on: try consumer.publishingChannel())
        try consumer.ack(delivery)
        metrics?.increment("tradingd_purchase_status_messages_total", labels: ["outcome": "dead_lettered"])
        log.warning("purchase status message dead-lettered", ["reason": reason])
    }

    private func connection() throws -> PostgresConnection {
        if let database, database.isHealthy { return database }
        let fresh = try PostgresConnection(url: databaseURL)
        database = fresh
        return fresh
    }
}
