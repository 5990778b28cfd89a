import CustomerData
import CustomerDataStores
import Foundation
import Postgres
import TestSupport

/// A fresh database with one organisation (and a second one, to test isolation), and the
/// reference data seed 003's Example 1 names.
struct CustomerDataFixture {
    let url: String
    let connection: PostgresConnection
    let organization: UUID
    let otherOrganization: UUID

    static let example1Data = """
        {
          "currencies": ["EUR", "COP"],
          "business_units": [
            {"code": "EK123456", "name": "Café Central"},
            {"code": "CD123456", "name": "Café Central, Plaza Mayor", "parent": "EK123456"},
            {"code": "XY000001", "name": "Another merchant"},
            {"code": "XY000002", "name": "Another merchant's outlet", "parent": "XY000001"}
          ],
          "classifications": [{"code": "CCC", "name": "Coffee shop purchase"}],
          "products": [{"sku": "FREDESPR001", "name": "Freddo Espresso"}, {"sku": "CAPPUCC001", "name": "Cappuccino"}],
          "contacts": [
            {"code": "C-0001", "name": "Maria Lopez", "accounts": [{"number": "ACC-1", "primary": false}, {"number": "ACC-2", "primary": true}],
             "cims": ["4A30966F684B0269AD91"]},
            {"code": "C-0002", "name": "Two accounts, none primary", "accounts": [{"number": "A"}, {"number": "B"}], "cims": ["NOPRIMARY"]},
            {"code": "C-0003", "name": "No account", "cims": ["NOACCOUNT"]}
          ]
        }
        """

    init(seedExample1: Bool = true) throws {
        url = try TestDatabase.fresh()
        connection = try PostgresConnection(url: url)
        organization = try Self.makeOrganization("cafes", on: connection)
        otherOrganization = try Self.makeOrganization("otra", on: connection)
        if seedExample1 {
            _ = try ReferenceDataStore().importData(try ReferenceData.parse(Array(Self.example1Data.utf8)),
                                                    organizationID: organization, on: connection)
        }
    }

    static func makeOrganization(_ slug: String, on connection: PostgresConnection) throws -> UUID {
        try connection.query("INSERT INTO organizations (slug, name) VALUES ($1, $1) RETURNING id", [.text(slug)])[0].uuid(0)
    }

    func scalar(_ sql: String, _ parameters: [PostgresValue] = []) throws -> Int {
        try connection.query(sql, parameters)[0].int(0)
    }
}
