import Foundation
import Messaging
import Observability
import Postgres
@testable import Relay
import Testing
import TestSupport
import TradingCore

/// The relay's claims and outcomes on the database alone (no broker, no ESM): leases, an ack
/// landing before the relay's own outcome, and outcomes that arrive too late.
struct RelayLeaseTests {
    private func claim(_ s: OneStoredCommand, lease: Duration = .seconds(60)) throws -> [CommandStore.DueCommand] {
        try CommandStore.claimDue(organizationIDs: [s.organizationID], limit: 10, lease: lease,
                                  maximumRelayWindow: .seconds(3600), on: s.connection)
    }

    @Test func aClaimedCommandIsNotClaimedAgainWhileItsLeaseRuns() throws {
        let s = try OneStoredCommand()
        let first = try claim(s)
        #expect(first.map(\.messageID) == [OneStoredCommand.messageID])
        #expect(first.first?.esmPlantID == OneStoredCommand.esmPlantID)
        #expect(try claim(s).isEmpty)
        // Another organisation's worker never sees it.
        #expect(try CommandStore.claimDue(organizationIDs: [UUID()], limit: 10, lease: .seconds(60),
                                          maximumRelayWindow: .seconds(3600), on: s.connection).isEmpty)
    }

    @Test func aCommandWhoseClaimerDiedIsClaimedAgainAfterTheLease() throws {
        let s = try OneStoredCommand()
        #expect(try claim(s, lease: .milliseconds(100)).count == 1)
        #expect(try claim(s).isEmpty)
        Thread.sleep(forTimeInterval: 0.2)
        #expect(try claim(s).map(\.messageID) == [OneStoredCommand.messageID])
    }

    @Test func aStaleClaimerRecordsNothingOnceTheCommandWasClaimedAgain() throws {
        let s = try OneStoredCommand()
        let stale = try #require(try claim(s, lease: .milliseconds(50)).first)
        Thread.sleep(forTimeInterval: 0.1)
        let current = try #require(try claim(s).first)
        #expect(current.claimToken != stale.claimToken)
        #expect(current.idempotencyKey == stale.idempotencyKey)   // the same key for every attempt
        // The first claimer's answer comes back late: a retry, a rejection, a lease extension,
        // a 202: none of them applies.
        #expect(try CommandStore.scheduleRetry(stale, after: .zero, error: "late", on: s.connection) == false)
        #expect(try CommandStore.markTerminal(stale, status: .rejected, reason: "late", countsAsAttempt: true, on: s.connection) == false)
        #expect(try CommandStore.extendLease(stale, lease: .seconds(60), on: s.connection) == false)
        #expect(try CommandStore.markRelayed(stale, on: s.connection) == nil)
        #expect(try claim(s).isEmpty)   // the retry did not make it due again
        #expect(try CommandStore.markRelayed(current, on: s.connection) != nil)
        let row = try s.connection.query("SELECT status, attempts, last_error FROM command_log").singleRow()!
        #expect(try row.string("status") == "RELAYED")
        #expect(try row.int("attempts") == 1)
        #expect(try row.optionalString("last_error") == nil)
    }

    @Test func theIdempotencyKeyDiffersBetweenOrganisationsUsingTheSameMessageId() throws {
        let s = try OneStoredCommand()
        let other = try s.connection.query("INSERT INTO organizations (slug, name) VALUES ($1, 'O') RETURNING id",
                                           [.text("o-" + UUID().uuidString.prefix(8).lowercased())]).singleRow()!.uuid("id")
        let plant = try s.connection.query("INSERT INTO plants (organization_id, name, esm_plant_id) VALUES ($1, 'p', 'esm-7') RETURNING id",
                                           [.uuid(other)]).singleRow()!.uuid("id")
        try s.insertCommand(messageID: OneStoredCommand.messageID, organization: other, plant: plant)
        let claimed = try CommandStore.claimDue(organizationIDs: [s.organizationID, other], limit: 10, lease: .seconds(60),
                                                maximumRelayWindow: .seconds(3600), on: s.connection)
        #expect(claimed.map(\.messageID) == [OneStoredCommand.messageID, OneStoredCommand.messageID])
        #expect(Set(claimed.map(\.idempotencyKey)).count == 2)
    }

    @Test func anAckBeforeTheRelayOutcomeSurvivesIt() throws {
        let s = try OneStoredCommand()
        let claimed = try #require(try claim(s).first)
        let ack = CommandAck(correlationID: "c-1", status: .executed, executedAt: TelemetryTimestamp(rfc3339: "2026-01-01T00:00:00Z"), reason: nil)
        guard case .recorded = try CommandStore.recordAck(ack, organizationID: s.organizationID, on: s.connection) else {
            Issue.record("the ack was not recorded on the PENDING command")
            return
        }
        #expect(try CommandStore.markRelayed(claimed, on: s.connection) != nil)
        let row = try s.connection.query("SELECT status, ack_status, executed_at FROM command_log").singleRow()!
        #expect(try row.string("status") == "RELAYED")
        #expect(try row.optionalString("ack_status") == "EXECUTED")
        #expect(try row.optionalDate("executed_at") == Date(timeIntervalSince1970: 1_767_225_600))
        let events = try s.connection.query(
            "SELECT body->>'status' AS status, body->>'ackStatus' AS ack FROM command_events ORDER BY id"
        ).map { "\(try $0.string("status"))/\(try $0.optionalString("ack") ?? "-")" }
        #expect(events == ["PENDING/-", "PENDING/EXECUTED", "RELAYED/EXECUTED"])
    }

    @Test func aLateOutcomeNeverReplacesAnEarlierOne() throws {
        let s = try OneStoredCommand()
        let claimed = try #require(try claim(s).first)
        #expect(try CommandStore.markRelayed(claimed, on: s.connection) != nil)
        // The same claimer comes back with a 4xx, or a retry, for a command already RELAYED: ignored.
        #expect(try CommandStore.markTerminal(claimed, status: .rejected, reason: "late", countsAsAttempt: true, on: s.connection) == false)
        #expect(try CommandStore.scheduleRetry(claimed, after: .seconds(1), error: "late", on: s.connection) == false)
        #expect(try CommandStore.markRelayed(claimed, on: s.connection) == nil)
        let row = try s.connection.query("SELECT status, attempts, rejection_reason FROM command_log").singleRow()!
        #expect(try row.string("status") == "RELAYED")
        #expect(try row.int("attempts") == 1)
        #expect(try row.optionalString("rejection_reason") == nil)
    }
}
