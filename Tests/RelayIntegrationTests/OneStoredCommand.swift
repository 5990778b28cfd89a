import Foundation
import Postgres
@testable import Relay
import Testing
import TestSupport
import TradingCore

/// A fresh database holding one organisation, one plant linked to ESM plant `esmPlantID` and one
/// pending command `messageID` stored through `CommandStore.insert`: the claim and outcome tests
/// that need no broker and no ESM start from it.
struct OneStoredCommand {
    static let messageID = "m-1"
    static let esmPlantID = "esm-7"

    let connection: PostgresConnection
    let organizationID: UUID
    let plantID: UUID
    let commandID: UUID

    init() throws {
        connection = try PostgresConnection(url: try TestDatabase.fresh())
        organizationID = try connection.query("INSERT INTO organizations (slug, name) VALUES ($1, 'One command') RETURNING id",
                                              [.text("c-" + UUID().uuidString.prefix(8).lowercased())]).singleRow()!.uuid("id")
        plantID = try connection.query("INSERT INTO plants (organization_id, name, esm_plant_id) VALUES ($1, 'p', $2) RETURNING id",
                                       [.uuid(organizationID), .text(Self.esmPlantID)]).singleRow()!.uuid("id")
        let inserted = try Self.insert(messageID: Self.messageID, organization: organizationID, plant: plantID, on: connection)
        // The id the insert reports is the row's own (an independent read).
        commandID = try connection.query("SELECT id FROM command_log WHERE message_id = $1", [.text(Self.messageID)]).singleRow()!.uuid(0)
        #expect(inserted == [Self.messageID: commandID])
    }

    /// Stores a pending MODE_CHANGE `messageID` for `plant` of `organization` (by default the
    /// fixture's own) and returns what the insert reports.
    @discardableResult
    func insertCommand(messageID: String, organization: UUID? = nil, plant: UUID? = nil) throws -> [String: UUID] {
        try Self.insert(messageID: messageID, organization: organization ?? organizationID, plant: plant ?? plantID, on: connection)
    }

    private static func insert(messageID: String, organization: UUID, plant: UUID, on connection: PostgresConnection) throws -> [String: UUID] {
        let body = #"{"messageId":"\#(messageID)","correlationId":"c-1","plantId":"\#(plant)","commandType":"MODE_CHANGE","payload":{"mode":"IDLE"}}"#
        let command = try CommandDecoder.decode(Array(body.utf8)).get()
        return try CommandStore.insert([CommandStore.NewCommand(command: command, plantID: plant, siteID: nil, status: .pending,
                                                                rejectionReason: nil, routingKey: "c.commands")],
                                       organizationID: organization, queuePrefix: "c", on: connection)
    }
}
