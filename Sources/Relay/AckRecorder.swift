import AMQP
import Foundation
import Messaging
import Postgres
import TradingCore

/// Records a batch of ESM acknowledgements from `P.command-acks` (`CommandStore.recordAcks`: one
/// statement per round of distinct correlationIds, each committing on its own, the batch durable
/// before anything is acked); malformed acks and acks for no known command of the organisation go
/// to `P.command-acks.dlq`.
struct AckRecorder: RelayBatchHandler {
    let organizationID: UUID
    let queuePrefix: String
    let metrics: RelayMetrics
    let eventWakeup: RelayWakeup

    var queue: String { RelayQueues(prefix: queuePrefix).acks }
    var deadLetterQueue: String { RelayQueues(prefix: queuePrefix).acksDeadLetter }

    func handle(_ deliveries: [AMQPDelivery], on connection: PostgresConnection) throws -> [DeadLetter] {
        // A batch retried after a failure records its acks again: the same ack twice is no
        // change (and no event).
        var letters: [DeadLetter] = []
        var decoded: [(delivery: AMQPDelivery, ack: CommandAck)] = []
        for delivery in deliveries {
            switch CommandAck.decode(delivery.body, correlationIDProperty: delivery.correlationId) {
            case .failure(let rejection): letters.append(letter(delivery, rejection))
            case .success(let ack): decoded.append((delivery, ack))
            }
        }
        var latencies: [Double] = []
        let outcomes = try CommandStore.recordAcks(decoded.map(\.ack), organizationID: organizationID, on: connection)
        for (item, outcome) in zip(decoded, outcomes) {
            switch outcome {
            case .recorded(let latency): latencies.append(latency)
            case .superseded: break
            case .unknownCommand:
                letters.append(letter(item.delivery, CommandRejection(
                    .unknownCommand, "no command of this organisation has correlationId \(item.ack.correlationID)")))
            }
        }
        metrics.update { m in
            m.acksRecorded += latencies.count
            m.acksDeadLettered += letters.count
        }
        metrics.observeAckLatency(latencies)
        if !latencies.isEmpty { eventWakeup.signal() }
        return letters
    }

    private func letter(_ delivery: AMQPDelivery, _ rejection: CommandRejection) -> DeadLetter {
        DeadLetter(delivery, reason: rejection.message, kind: rejection.kind.rawValue, queue: queue, deadLetterQueue: deadLetterQueue)
    }
}
