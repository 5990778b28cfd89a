import Foundation
import Testing
@testable import PurchaseCore

struct PurchaseQuantityTests {
    @Test(arguments: [
        ("12.0", Int64(12_000)), ("13", 13_000), ("-0.125", -125), ("0.001", 1), ("1e3", 1_000_000), ("1.5E-2", 15),
        ("2.5e-1", 250), ("1.2500", 1_250), ("0", 0), ("-0", 0), ("0.000", 0), ("0.1000000000000000000000", 100),
        ("999999999999999", 999_999_999_999_999_000), ("12.3450e0", 12_345), ("0.00012e3", 120),
    ])
    func parsesExactly(text: String, kilowatts: Int64) throws {
        let quantity = try PurchaseQuantity(jsonNumber: text)
        #expect(quantity.kilowatts == kilowatts)
        // Independent check: Foundation's decimal parser reads the same text to the same value.
        #expect(quantity.megawatts == Decimal(string: text, locale: Locale(identifier: "en_US_POSIX")))
    }

    @Test(arguments: ["0.0001", "1.2345", "1.5e-4", "-0.0005", "1e-400", "12.0001"])
    func refusesMoreThanThreeDecimals(text: String) {
        #expect(throws: PurchaseQuantity.ParseFailure.tooPrecise) { try PurchaseQuantity(jsonNumber: text) }
    }

    @Test(arguments: ["1e400", "-1e16", "1000000000000000", "99999999999999999999.5", "1e99999999999999999999"])
    func refusesHugeValues(text: String) {
        #expect(throws: PurchaseQuantity.ParseFailure.outOfRange) { try PurchaseQuantity(jsonNumber: text) }
    }

    @Test func manyLeadingZerosStayCheap() throws {
        let text = "0." + String(repeating: "0", count: 200_000) + "1"
        #expect(throws: PurchaseQuantity.ParseFailure.tooPrecise) { try PurchaseQuantity(jsonNumber: text) }
    }

    @Test(arguments: [(Int64(12_000), "12.000"), (-125, "-0.125"), (0, "0.000"), (1, "0.001"), (-1_000_001, "-1000.001")])
    func printsThreeDecimals(kilowatts: Int64, text: String) {
        #expect(PurchaseQuantity(kilowatts: kilowatts).text == text)
    }
}
