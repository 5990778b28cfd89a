import Foundation
import Messaging
import Postgres
@testable import Relay
import Testing
import TestSupport
import TradingCore

/// Commands handed from the consumer that recorded them to the relay workers in memory and
/// claimed by id (`CommandStore.claim(id:)`), beside the periodic due search: the same lease and
/// fencing on both paths, a dead claimer's command found again by the search, and two replicas
/// racing both paths for every command without a second send.
struct RelayHandoffTests {
    private func claimByID(_ s: OneStoredCommand, organizations: [UUID]? = nil, lease: Duration = .seconds(60)) throws -> CommandStore.DueCommand? {
        try CommandStore.claim(id: s.commandID, organizationIDs: organizations ?? [s.organizationID], lease: lease,
                               maximumRelayWindow: .seconds(3600), on: s.connection)
    }

    private func search(_ s: OneStoredCommand, grace: Duration) throws -> [CommandStore.DueCommand] {
        try CommandStore.claimDue(organizationIDs: [s.organizationID], limit: 10, lease: .seconds(60),
                                  maximumRelayWindow: .seconds(3600), handoffGrace: grace, on: s.connection)
    }

    private func claimToken(_ s: OneStoredCommand) throws -> UUID? {
        try s.connection.query("SELECT claim_token FROM command_log WHERE id = $1", [.uuid(s.commandID)]).singleRow()!.optionalUUID(0)
    }

    @Test func aHandedOverCommandIsClaimedByIdUnderALeaseAndAToken() throws {
        let s = try OneStoredCommand()
        #expect(try claimByID(s, organizations: [UUID()]) == nil)   // not an organisation this relay serves
        let claimed = try #require(try claimByID(s))
        #expect(claimed.id == s.commandID && claimed.messageID == OneStoredCommand.messageID && claimed.esmPlantID == OneStoredCommand.esmPlantID)
        #expect(try claimToken(s) == claimed.claimToken)
        // While the lease runs, neither path claims it again.
        #expect(try claimByID(s) == nil)
        #expect(try search(s, grace: .zero).isEmpty)
        #expect(try CommandStore.markRelayed(claimed, on: s.connection) != nil)
        #expect(try claimByID(s) == nil)   // done: a stale handoff entry changes nothing
    }

    @Test func theRelayedOutcomeAndTheNextClaimInOneStatementEachKeepTheirOwnTerms() throws {
        let s = try OneStoredCommand()
        let second = try #require(try s.insertCommand(messageID: "m-2")["m-2"])
        let third = try #require(try s.insertCommand(messageID: "m-3")["m-3"])
        let first = try #require(try claimByID(s))
        let both = try CommandStore.markRelayed(first, claimingNext: second, organizationIDs: [s.organizationID], lease: .seconds(60),
                                                maximumRelayWindow: .seconds(3600), on: s.connection)
        #expect(both.relayedLatency != nil)
        let claimed = try #require(both.claimed)
        #expect(claimed.id == second && claimed.messageID == "m-2" && claimed.claimToken != first.claimToken)
        let statuses = try s.connection.query("SELECT message_id, status, claim_token FROM command_log ORDER BY message_id").map {
            "\(try $0.string(0)) \(try $0.string(1)) \(try $0.optionalUUID(2) == claimed.claimToken)"
        }
        #expect(statuses == ["m-1 RELAYED false", "m-2 PENDING true", "m-3 PENDING false"])
        // A stale token records nothing, and a command under another's lease is not claimed; each
        // half of the statement fails alone.
        let again = try CommandStore.markRelayed(first, claimingNext: third, organizationIDs: [s.organizationID], lease: .seconds(60),
                                                 maximumRelayWindow: .seconds(3600), on: s.connection)
        #expect(again.relayedLatency == nil)
        #expect(again.claimed?.id == third)
        let none = try CommandStore.markRelayed(claimed, claimingNext: third, organizationIDs: [s.organizationID], lease: .seconds(60),
                                                maximumRelayWindow: .seconds(3600), on: s.connection)
        #expect(none.relayedLatency != nil)
        #expect(none.claimed == nil)
        let events = try s.connection.query("SELECT body->>'messageId', body->>'status' FROM command_events ORDER BY id").map {
            "\(try $0.string(0)) \(try $0.string(1))"
        }
        #expect(events == ["m-1 PENDING", "m-2 PENDING", "m-3 PENDING", "m-1 RELAYED", "m-2 RELAYED"])
    }

    @Test func theDueSearchLeavesAFreshCommandToTheHandoffButNotForever() throws {
        let s = try OneStoredCommand()
        #expect(try search(s, grace: .seconds(60)).isEmpty)   // recorded just now, never claimed
        Thread.sleep(forTimeInterval: 0.3)
        let found = try search(s, grace: .milliseconds(200))   // its recorder did not claim it in time
        #expect(found.map(\.id) == [s.commandID])
        // The handoff's entry for it is now stale: the claim by id finds it leased.
        #expect(try claimByID(s) == nil)
        #expect(try CommandStore.markRelayed(try #require(found.first), on: s.connection) != nil)
    }

    @Test func aCommandWhoseFastPathWorkerDiedIsClaimedAgainAfterTheLease() throws {
        let s = try OneStoredCommand()
        let dead = try #require(try claimByID(s, lease: .milliseconds(100)))
        // The worker died mid-call: no outcome is recorded, and the handoff entry is gone with it.
        #expect(try search(s, grace: .seconds(60)).isEmpty)   // the lease still runs
        Thread.sleep(forTimeInterval: 0.2)
        // Once claimed, a command is no longer spared as fresh: the search takes it after the lease.
        let again = try #require(try search(s, grace: .seconds(60)).first)
        #expect(again.id == s.commandID && again.idempotencyKey == dead.idempotencyKey && again.claimToken != dead.claimToken)
        // The dead claimer's outcome, should it come back, no longer applies.
        #expect(try CommandStore.markRelayed(dead, on: s.connection) == nil)
        #expect(try CommandStore.scheduleRetry(dead, after: .zero, error: "late", on: s.connection) == false)
        #expect(try CommandStore.markRelayed(again, on: s.connection) != nil)
        let row = try s.connection.query("SELECT status, attempts FROM command_log").singleRow()!
        #expect(try row.string("status") == "RELAYED")
        #expect(try row.int("attempts") == 1)
    }

    /// The due search runs at start (finding nothing) and then not for 30 s, and spares fresh
    /// commands 30 s: what is relayed before then went through the handoff.
    @Test func commandsAreRelayedThroughTheHandoffWithoutTheDueSearch() throws {
        let f = try RelayTestFixture.make()
        defer { f.deleteQueues() }
        let esm = try RelayTestESM(prefix: f.prefix, publishAcks: false)
        var options = RelayTestFixture.options(workers: 2)
        options.pollInterval = .seconds(30)
        options.handoffGrace = .seconds(30)
        let service = try f.service(esm, options: options)
        service.start()
        defer { service.stop(grace: .seconds(10)) }
        let ids = (0..<12).map { "fast-\($0)" }
        try f.publishCommands(ids.map { f.command($0) })
        try waitUntil(timeout: .seconds(20), "all are relayed") { service.metrics.snapshot().relayed == ids.count }
        #expect(try f.rows().values.allSatisfy { $0.status == "RELAYED" && $0.attempts == 1 })
        #expect(ids.allSatisfy { esm.calls($0) == 1 })
    }

    /// Two replicas consume the same queue; each hands what it records to its own workers, and
    /// each one's due search (no grace) races the other's handoff for every command, under a lease
    /// shorter than the slowest ESM call.
    @Test func twoReplicasNeverBothSendACommand() throws {
        let f = try RelayTestFixture.make()
        defer { f.deleteQueues() }
        let esm = try RelayTestESM(prefix: f.prefix, publishAcks: false)
        var options = RelayTestFixture.options(workers: 2)
        options.claimLease = .milliseconds(300)
        options.leaseMargin = .seconds(1)
        options.handoffGrace = .zero
        options.pollInterval = .milliseconds(10)
        esm.simulator.delayNextCommands([.milliseconds(1000), .milliseconds(1000)])   // longer than the lease
        let replicas = try (0..<2).map { _ in try f.service(esm, options: options) }
        for replica in replicas { replica.start() }
        defer { for replica in replicas { replica.stop(grace: .seconds(10)) } }
        let ids = (0..<60).map { "pair-\($0)" }
        try f.publishCommands(ids.map { f.command($0) })
        try waitUntil(timeout: .seconds(30), "all are relayed") {
            try f.rows().values.filter { $0.status == "RELAYED" }.count == ids.count
        }
        Thread.sleep(forTimeInterval: 0.5)   // a second send of any key would show now
        for id in ids {
            #expect(esm.calls(id) == 1, "POSTs for \(id)")
            #expect(esm.keys(id).count == 1, "idempotency keys for \(id)")
        }
        #expect(try f.rows().values.allSatisfy { $0.attempts == 1 })
        #expect(replicas.map { $0.metrics.snapshot().relayed }.reduce(0, +) == ids.count)
    }
}
