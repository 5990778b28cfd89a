import Foundation
import Postgres
@testable import Relay
import Testing
import TestSupport
import TradingCore

/// `CommandStore.recordAcks` (a batch in rounds of statements) against `recordAck` applied to the
/// same acks one at a time, on two organisations with the same commands.
struct RelayAckBatchTests {
    private struct Organization {
        let id: UUID
    }

    private func organization(on connection: PostgresConnection) throws -> Organization {
        let id = try connection.query("INSERT INTO organizations (slug, name) VALUES ($1, 'A') RETURNING id",
                                      [.text("ab-" + UUID().uuidString.prefix(8).lowercased())]).singleRow()!.uuid("id")
        let plant = try connection.query("INSERT INTO plants (organization_id, name, esm_plant_id) VALUES ($1, 'p', 'esm-1') RETURNING id",
                                         [.uuid(id)]).singleRow()!.uuid("id")
        // (messageId, correlationId); m-5 is acknowledged both by its correlationId and by its
        // messageId, which reach the same command in one round.
        let commands = [("m-1", "c-1"), ("m-2", "c-2"), ("m-3", "c-3"), ("m-4", "c-4"), ("m-5", "c-5")].map { message, correlation in
            let body = #"{"messageId":"\#(message)","correlationId":"\#(correlation)","plantId":"\#(plant)","commandType":"MODE_CHANGE","payload":{"mode":"IDLE"}}"#
            return CommandStore.NewCommand(command: try! CommandDecoder.decode(Array(body.utf8)).get(), plantID: plant, siteID: nil,
                                           status: .pending, rejectionReason: nil, routingKey: "ab.commands")
        }
        _ = try CommandStore.insert(commands, organizationID: id, queuePrefix: "ab", on: connection)
        return Organization(id: id)
    }

    private let acks: [CommandAck] = [
        CommandAck(correlationID: "c-1", status: .accepted, executedAt: nil, reason: nil),
        CommandAck(correlationID: "c-1", status: .executed, executedAt: TelemetryTimestamp(rfc3339: "2026-01-01T10:00:05Z"), reason: nil),
        CommandAck(correlationID: "c-1", status: .accepted, executedAt: nil, reason: nil),  // late: must not replace EXECUTED
        CommandAck(correlationID: "c-2", status: .failed, executedAt: nil, reason: "battery offline"),
        CommandAck(correlationID: "nobody", status: .executed, executedAt: nil, reason: nil),
        CommandAck(correlationID: "m-5", status: .accepted, executedAt: nil, reason: nil),   // by messageId
        CommandAck(correlationID: "c-5", status: .executed, executedAt: nil, reason: nil),   // the same command, same round
        CommandAck(correlationID: "c-3", status: .rejected, executedAt: nil, reason: "no"),
        CommandAck(correlationID: "c-4", status: .executed, executedAt: TelemetryTimestamp(rfc3339: "2026-01-01T11:00:00Z"), reason: nil),
        CommandAck(correlationID: "c-4", status: .accepted, executedAt: nil, reason: nil),
        CommandAck(correlationID: "c-2", status: .failed, executedAt: nil, reason: "battery offline"),  // a redelivery
    ]

    private enum Kind: Equatable { case recorded, superseded, unknown }

    private func kinds(_ outcomes: [CommandStore.AckOutcome]) -> [Kind] {
        outcomes.map {
            switch $0 {
            case .recorded: .recorded
            case .superseded: .superseded
            case .unknownCommand: .unknown
            }
        }
    }

    /// Each command's row and its events (without ids and times), by messageId.
    private func state(_ organization: Organization, on connection: PostgresConnection) throws -> [String] {
        let rows = try connection.query("""
            SELECT c.message_id || ' ' || coalesce(c.ack_status, '-') || ' ' || coalesce(c.executed_at::text, '-') || ' '
                   || coalesce(c.rejection_reason, '-') || ' r' || c.revision || ' events: '
                   || (SELECT string_agg(coalesce(e.body->>'ackStatus', '-') || '/' || (e.body->>'revision'), ',' ORDER BY e.id)
                       FROM command_events AS e WHERE e.command_id = c.id)
            FROM command_log AS c WHERE c.organization_id = $1 ORDER BY c.message_id
            """, [.uuid(organization.id)])
        return try rows.map { try $0.string(0) }
    }

    @Test func aBatchHasTheEffectOfItsAcksOneAtATime() throws {
        let connection = try PostgresConnection(url: try TestDatabase.fresh())
        let batched = try organization(on: connection), single = try organization(on: connection)
        let batchOutcomes = try CommandStore.recordAcks(acks, organizationID: batched.id, on: connection)
        let singleOutcomes = try acks.map { try CommandStore.recordAck($0, organizationID: single.id, on: connection) }
        #expect(kinds(batchOutcomes) == kinds(singleOutcomes))
        #expect(kinds(batchOutcomes) == [.recorded, .recorded, .superseded, .recorded, .unknown, .recorded, .recorded, .recorded,
                                         .recorded, .superseded, .recorded])
        let batchedState = try state(batched, on: connection)
        #expect(batchedState == (try state(single, on: connection)))
        #expect(batchedState.first?.hasPrefix("m-1 EXECUTED 2026-01-01 10:00:05+00 - r3 events: -/1,ACCEPTED/2,EXECUTED/3") == true)
        // Recording the same batch again changes nothing a partner sees.
        _ = try CommandStore.recordAcks(acks, organizationID: batched.id, on: connection)
        #expect(try state(batched, on: connection) == batchedState)
        #expect(try CommandStore.recordAcks([], organizationID: batched.id, on: connection).isEmpty)
    }
}
