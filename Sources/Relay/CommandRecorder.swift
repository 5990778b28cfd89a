import AMQP
import Foundation
import Messaging
import Postgres
import TradingCore

/// Records a batch of `P.commands` deliveries in `command_log` before anything leaves: valid
/// commands as PENDING (to relay), REJECTED (types partners may not send) or EXPIRED (arrived
/// after `validUntil`); messages that can never be processed go to `P.commands.dlq`.
struct CommandRecorder: RelayBatchHandler {
    let organizationID: UUID
    let queuePrefix: String
    let rules: CommandValidationRules
    let metrics: RelayMetrics
    /// Where the ids of commands recorded PENDING go, for this process's relay workers.
    let handoff: RelayHandoff
    /// Wakes relay workers (pending commands) and the outbox publisher (new events).
    let relayWakeup: RelayWakeup
    let eventWakeup: RelayWakeup
    let now: @Sendable () -> TelemetryTimestamp

    /// Commands go to the ESM as soon as they are recorded: no waiting for more.
    var batchWindow: Duration { .zero }
    var queue: String { RelayQueues(prefix: queuePrefix).commands }
    var deadLetterQueue: String { RelayQueues(prefix: queuePrefix).commandsDeadLetter }

    func handle(_ deliveries: [AMQPDelivery], on connection: PostgresConnection) throws -> [DeadLetter] {
        var letters: [DeadLetter] = []
        var decoded: [(AMQPDelivery, Command)] = []
        for delivery in deliveries {
            switch CommandDecoder.decode(delivery.body, messageIDProperty: delivery.messageId,
                                         correlationIDProperty: delivery.correlationId, rules: rules) {
            case .success(let command): decoded.append((delivery, command))
            case .failure(let rejection): letters.append(letter(delivery, rejection))
            }
        }
        let plants = try CommandStore.plants(organizationID: organizationID, for: decoded.map(\.1), on: connection)
        let arrival = now()
        var records: [CommandStore.NewCommand] = []
        for (delivery, command) in decoded {
            let plantID: UUID, siteID: String?
            switch plants.resolve(command) {
            case .plant(let plant, let site): (plantID, siteID) = (plant, site)
            case .unknown:
                let named = command.plantID.map { "plant \($0.uuidString.lowercased())" } ?? "site \(command.siteID ?? "")"
                letters.append(letter(delivery, CommandRejection(.unknownPlant, "\(named) is not a plant of this organisation")))
                continue
            case .siteMismatch(let plant, let esmID):
                let linked = esmID.map { "is linked to ESM plant \($0)" } ?? "has no ESM link"
                letters.append(letter(delivery, CommandRejection(
                    .plantSiteMismatch, "siteId \(command.siteID ?? "") does not match plant \(plant.uuidString.lowercased()), which \(linked)")))
                continue
            }
            let (status, reason): (CommandStatus, String?)
            switch command.disposition(now: arrival) {
            case .relay: (status, reason) = (.pending, nil)
            case .reject(let why): (status, reason) = (.rejected, why)
            case .expire(let why): (status, reason) = (.expired, why)
            }
            records.append(CommandStore.NewCommand(command: command, plantID: plantID, siteID: siteID, status: status,
                                                   rejectionReason: reason, routingKey: delivery.routingKey))
        }
        let inserted = try CommandStore.insert(records, organizationID: organizationID, queuePrefix: queuePrefix, on: connection)

        var counted = Set<String>(), pending: [UUID] = [], rejected = 0, expired = 0
        for record in records {
            guard let id = inserted[record.command.messageID], counted.insert(record.command.messageID).inserted else { continue }
            switch record.status {
            case .pending: pending.append(id)
            case .rejected: rejected += 1
            case .expired: expired += 1
            case .relayed, .failed: break
            }
        }
        let duplicates = records.count - counted.count, deadLettered = letters.count
        metrics.update { m in
            m.received += counted.count
            m.duplicates += duplicates
            m.rejected += rejected
            m.expired += expired
            m.commandsDeadLettered += deadLettered
        }
        if !pending.isEmpty {
            handoff.hand(pending)
            relayWakeup.signal(pending.count)
        }
        if !counted.isEmpty { eventWakeup.signal() }
        return letters
    }

    private func letter(_ delivery: AMQPDelivery, _ rejection: CommandRejection) -> DeadLetter {
        DeadLetter(delivery, reason: rejection.message, kind: rejection.kind.rawValue, queue: queue, deadLetterQueue: deadLetterQueue)
    }
}
