import CustomerData
@testable import CustomerDataStores
import Foundation
import Postgres
import Testing

/// Importing reference data: create, update, idempotence, and refusals that write nothing.
@Suite struct ReferenceDataStoreTests {
    let fixture: CustomerDataFixture
    let store = ReferenceDataStore()

    init() throws { fixture = try CustomerDataFixture(seedExample1: false) }

    private func importText(_ text: String) throws -> ReferenceDataStore.Summary {
        try store.importData(try ReferenceData.parse(Array(text.utf8)), organizationID: fixture.organization, on: fixture.connection)
    }

    private func counts() throws -> [Int] {
        try ["loyalty_currencies", "loyalty_business_units", "loyalty_classifications", "loyalty_products", "loyalty_contacts",
             "loyalty_accounts", "loyalty_identification_media"].map { try fixture.scalar("SELECT count(*) FROM \($0)") }
    }

    @Test func importsExample1sDataAndAgainChangesNothing() throws {
        let first = try importText(CustomerDataFixture.example1Data)
        #expect(first == .init(currencies: 2, businessUnits: 4, classifications: 1, products: 2, contacts: 3, accounts: 4, cims: 3))
        let before = try counts()
        #expect(before == [2, 4, 1, 2, 3, 4, 3])
        _ = try importText(CustomerDataFixture.example1Data)
        #expect(try counts() == before)
        let parent = try fixture.connection.query(
            "SELECT p.code FROM loyalty_business_units u JOIN loyalty_business_units p ON p.id = u.parent_id WHERE u.code = 'CD123456'")
        #expect(try parent[0].string(0) == "EK123456")
    }

    @Test func updatesNamesAndMovesThePrimaryAccountAndCIMs() throws {
        _ = try importText(CustomerDataFixture.example1Data)
        _ = try importText("""
            {"products": [{"sku": "FREDESPR001", "name": "Freddo Espresso grande"}],
             "contacts": [{"code": "C-0001", "accounts": [{"number": "ACC-1", "primary": true}]},
                          {"code": "C-0002", "cims": ["4A30966F684B0269AD91"]}]}
            """)
        #expect(try fixture.connection.query("SELECT name FROM loyalty_products WHERE sku = 'FREDESPR001'")[0].string(0) == "Freddo Espresso grande")
        #expect(try fixture.connection.query(
            "SELECT a.number FROM loyalty_accounts a JOIN loyalty_contacts c ON c.id = a.contact_id WHERE c.code = 'C-0001' AND a.is_primary")[0]
            .string(0) == "ACC-1")
        #expect(try fixture.connection.query(
            "SELECT c.code FROM loyalty_identification_media m JOIN loyalty_contacts c ON c.id = m.contact_id WHERE m.value = '4A30966F684B0269AD91'")[0]
            .string(0) == "C-0002")
    }

    @Test func refusesAnUnknownParentOrACycleAndWritesNothing() throws {
        #expect(throws: ReferenceDataStore.Failure.conflicts([#"business_units[0].parent: no business unit has code "NOPE"."#])) {
            try importText(#"{"business_units": [{"code": "A", "parent": "NOPE"}], "products": [{"sku": "P"}]}"#)
        }
        #expect(try counts() == [0, 0, 0, 0, 0, 0, 0])
        _ = try importText(#"{"business_units": [{"code": "A"}, {"code": "B", "parent": "A"}]}"#)
        #expect(throws: ReferenceDataStore.Failure.self) {
            try importText(#"{"business_units": [{"code": "A", "parent": "B"}]}"#)
        }
        #expect(try fixture.scalar("SELECT count(*) FROM loyalty_business_units WHERE parent_id IS NOT NULL") == 1)
    }

    @Test func refusesAnIdThatContradictsTheStoredOne() throws {
        let id = UUID()
        _ = try importText(#"{"classifications": [{"id": "\#(id)", "code": "CCC"}]}"#)
        let other = UUID()
        #expect(throws: ReferenceDataStore.Failure.conflicts([
            #"classifications[0].id: "CCC" is stored with id \#(id.uuidString.lowercased())."#,
        ])) {
            try importText(#"{"classifications": [{"id": "\#(other)", "code": "CCC"}]}"#)
        }
    }
}
