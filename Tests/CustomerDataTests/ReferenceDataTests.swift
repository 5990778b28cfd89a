@testable import CustomerData
import Testing

/// Reading reference-data files: every problem with its path.
struct ReferenceDataTests {
    private func problems(_ text: String) -> [String] {
        do {
            _ = try ReferenceData.parse(Array(text.utf8))
            return []
        } catch {
            return error.problems
        }
    }

    @Test func readsEverySection() throws {
        let data = try ReferenceData.parse(Array("""
            {"currencies": ["EUR"], "business_units": [{"code": "M"}, {"code": "O", "parent": "M", "name": "Outlet"}],
             "classifications": [{"code": "CCC"}], "products": [{"sku": "S", "name": "Espresso"}],
             "contacts": [{"code": "C1", "accounts": [{"number": "A", "primary": true}], "cims": ["X"]}]}
            """.utf8))
        #expect(data.currencies == ["EUR"])
        #expect(data.businessUnits.map(\.parentCode) == [nil, "M"])
        #expect(data.products == [.init(id: nil, code: "S", name: "Espresso", parentCode: nil)])
        #expect(data.contacts[0].accounts == [.init(number: "A", isPrimary: true)])
        #expect(data.contacts[0].cims == ["X"])
    }

    @Test func reportsEveryProblemWithItsPath() {
        #expect(problems("""
            {"currencies": ["EUX", 3], "business_units": [{"code": "A", "parent": "B"}, {"code": "B", "parent": "A"}, {"code": "A"}],
             "products": [{"name": "no sku"}, {"sku": "S", "price": 1}], "contacts": [{"name": "nobody"},
             {"code": "C", "accounts": [{"number": "1", "primary": true}, {"number": "2", "primary": true}, {"primary": "yes"}]}],
             "colours": []}
            """) == [
            "colours: unknown section (allowed: currencies, business_units, classifications, products, contacts).",
            "currencies[0]: must be an ISO 4217 currency code such as EUR, in capitals.",
            "currencies[1]: must be an ISO 4217 currency code such as EUR, in capitals.",
            #"business_units[2].code: "A" appears already at business_units[0]."#,
            "products[0].sku: is required.",
            "products[1].price: unknown field (allowed: id, sku, name).",
            "contacts[0]: give the contact an id or a code, so that importing it again updates it.",
            "contacts[1].accounts[2].number: is required.",
            "contacts[1].accounts[2].primary: must be true or false.",
            "contacts[1].accounts: at most one account may be primary.",
            #"business_units[0].parent: the parent links of "A" form a cycle."#,
            #"business_units[1].parent: the parent links of "B" form a cycle."#,
        ])
    }

    @Test func refusesAFileThatIsNotAnObject() {
        #expect(problems("[]") == ["The file must hold one JSON object with currencies, business_units, classifications, products, contacts."])
        #expect(problems("{") == ["The file is not valid JSON: the document ends too early at byte 1."])
    }
}
