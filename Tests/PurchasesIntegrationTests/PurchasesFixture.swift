import Foundation
import Postgres
import Purchases
import PurchaseCore
import TestSupport

/// A fresh database with an organisation, a user and a Madrid retailer.
struct PurchasesFixture {
    let url: String
    let connection: PostgresConnection
    let organization: UUID
    let userID: UUID
    let retailer: RetailerRecord

    init(slug: String = "trebol", allowsSales: Bool = false) throws {
        url = try TestDatabase.fresh()
        connection = try PostgresConnection(url: url)
        organization = try Self.makeOrganization(slug, on: connection)
        userID = try Self.makeUser("trebolenergia", organization: organization, on: connection)
        retailer = try RetailerStore().create(
            NewRetailer(externalID: "123", name: "Comercializadora", timeZone: "Europe/Madrid", allowsSales: allowsSales),
            organizationID: organization, on: connection)
    }

    static func makeOrganization(_ slug: String, on connection: PostgresConnection) throws -> UUID {
        try connection.query("INSERT INTO organizations (slug, name) VALUES ($1, $1) RETURNING id", [.text(slug)])[0].uuid(0)
    }

    static func makeUser(_ username: String, organization: UUID, on connection: PostgresConnection) throws -> UUID {
        try connection.query("INSERT INTO users (organization_id, username) VALUES ($1, $2) RETURNING id",
                             [.uuid(organization), .text(username)])[0].uuid(0)
    }

    var submitter: PurchaseStore.Submitter { .init(userID: userID, username: "trebolenergia", tokenID: nil) }

    /// Parses `json` with the retailer's rules.
    func submission(_ json: String) throws -> PurchaseSubmission {
        try PurchaseSubmissionParser.parse(body: Array(json.utf8), rules: retailer.rules, maximumRows: 40_000)
    }

    /// A submission of `count` quarter-hours from 2024-01-01 00:00 Madrid (23:00Z the day before).
    func quarterHours(_ count: Int, kilowattsFrom first: Int64 = 1) -> PurchaseSubmission {
        let start: Int64 = 1_704_063_600
        let rows = (0..<count).map { index in
            let instant = start + Int64(index) * 900
            return PurchaseRow(label: retailer.rules.timeZone.localDateTime(at: instant), occurrence: 1, periodStart: instant,
                               quantity: PurchaseQuantity(kilowatts: first + Int64(index)))
        }
        return PurchaseSubmission(rows: rows)
    }

    func insert(_ submission: PurchaseSubmission) throws -> PurchaseRecord {
        try PurchaseStore().insert(submission, retailer: retailer, submitter: submitter, on: connection)
    }
}
