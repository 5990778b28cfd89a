import AMQP
import Foundation
import Messaging
import Postgres
import TradingCore

/// Records a batch of ESM acknowledgements from `P.command-acks`, one statement each; malformed
/// acks and acks for no known command of the organisation go to `P.command-acks.dlq`.
struct AckRecorder: RelayBatchHandler {
    let organizationID: UUID
    let queuePrefix: String
    let metrics: RelayMetrics
    let eventWakeup: RelayWakeup

    var queue: String { RelayQueues(prefix: queuePrefix).acks }
    var deadLetterQueue: String { RelayQueues(prefix: queuePrefix).acksDeadLetter }

    func handle(_ deliveries: [AMQPDelivery], on connection: PostgresConnection) throws -> [DeadLetter] {
        // Each ack commits on its own (no transaction around the batch), so a command's row is
        // never held locked while the rest of the batch is written. A batch retried after a
        // failure records its acks again: the same ack twice is no change (and no event).
        // Those commits do not wait for the disk; one synchronous commit after the batch flushes
        // the write-ahead log past all of them (it is sequential) before anything is acked: one
        // flush per batch instead of one per ack.
        try connection.execute("SET synchronous_commit = off")
        var letters: [DeadLetter] = []
        var latencies: [Double] = []
        for delivery in deliveries {
            switch CommandAck.decode(delivery.body, correlationIDProperty: delivery.correlationId) {
            case .failure(let rejection):
                letters.append(letter(delivery, rejection))
            case .success(let ack):
                switch try CommandStore.recordAck(ack, organizationID: organizationID, on: connection) {
                case .recorded(let latency): latencies.append(latency)
                case .superseded: break
                case .unknownCommand:
                    letters.append(letter(delivery, CommandRejection(
                        .unknownCommand, "no command of this organisation has correlationId \(ack.correlationID)")))
                }
            }
        }
        try Self.flushWriteAheadLog(on: connection)
        metrics.update { m in
            m.acksRecorded += latencies.count
            m.acksDeadLettered += letters.count
        }
        metrics.observeAckLatency(latencies)
        if !latencies.isEmpty { eventWakeup.signal() }
        return letters
    }

    /// A synchronous commit of a transaction that has an id (so it writes a commit record):
    /// returns once the log up to it, every earlier asynchronous commit included, is on disk.
    static func flushWriteAheadLog(on connection: PostgresConnection) throws {
        try connection.transaction { connection in
            try connection.execute("SET LOCAL synchronous_commit = on")
            try connection.query("SELECT txid_current()")
        }
    }

    private func letter(_ delivery: AMQPDelivery, _ rejection: CommandRejection) -> DeadLetter {
        DeadLetter(delivery, reason: rejection.message, kind: rejection.kind.rawValue, queue: queue, deadLetterQueue: deadLetterQueue)
    }
}
