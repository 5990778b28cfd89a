import Testing
@testable import Vend
import VendCore

/// The catalogue file of `tradingd vend import`.
struct VendCatalogTests {
    @Test func readsCustomersWithTheirMetersInAnyColumnOrder() throws {
        let text = "meter_number,name,account_no,tariff_name,sgc\r\n04040404040,\"Doe, John\",ACC1,Residential,123\r\n,Jane,ACC2,,\r\n"
        let rows = try VendCatalogCSV.parse(text).get()
        #expect(rows.count == 2)
        #expect(rows[0].customer == VendCustomerRecord(accountNo: "ACC1", name: "Doe, John"))
        #expect(rows[0].meter?.meterNumber.digits == "04040404040" && rows[0].meter?.tariffName == "Residential")
        #expect(rows[0].meter?.details.sgc == "123")
        #expect(rows[1].meter == nil)
    }

    @Test func reportsEveryBadLineBeforeStoringAnything() {
        let text = "account_no,name,meter_number\nACC1,A,12345678901\nACC2,,04040404040\nACC3,C,040404\nACC4,D\n"
        guard case .failure(let failure) = VendCatalogCSV.parse(text) else { Issue.record("accepted"); return }
        #expect(failure.problems.map(\.line) == [2, 3, 4, 5])
        #expect(failure.problems[0].reason.contains("Luhn"))
        #expect(failure.description.contains("line 4: meter_number '040404' is not 11 or 13 digits"))
        #expect(throws: Never.self) { try VendCatalogCSV.parse("account_no,name,meter_number\nACC1,A,12345678901\n", luhnExempt: ["12345678901"]).get() }
    }

    @Test func refusesUnknownColumnsAMissingHeaderColumnAndEmptyFiles() {
        #expect(throws: VendCatalogCSV.Problems.self) { try VendCatalogCSV.parse("account_no,name,colour\nA,B,red\n").get() }
        #expect(throws: VendCatalogCSV.Problems.self) { try VendCatalogCSV.parse("name\nB\n").get() }
        #expect(throws: VendCatalogCSV.Problems.self) { try VendCatalogCSV.parse("").get() }
        #expect(throws: VendCatalogCSV.Problems.self) { try VendCatalogCSV.parse("account_no,name\n").get() }
    }
}
