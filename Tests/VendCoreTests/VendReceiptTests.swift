import Foundation
import Testing
@testable import VendCore

/// The receipt against the seed's success example, key for key and type for type.
struct VendReceiptTests {
    static func sale(keyChanges: Int = 0) -> VendSale {
        VendSale(
            providerTransactionID: "PP-7f3a", clientSaleID: "TXN123456789", receiptNumber: "846912871",
            date: "2024-01-01 12:00:00", customerName: "John Doe", accountNumber: "ACC123456", locationReference: "Location123",
            clientID: "PP001", utilityVATNumber: "P03625401112", tariffName: "Residential",
            meter: VendMeterDetails(number: "12345678901", sgc: "123", ti: "456", krn: "789", tt: "02", alg: "07"),
            amountTendered: 50, costOfUnits: Decimal(string: "39.00")!, standardCharge: Decimal(string: "0.50")!,
            governmentLevy: Decimal(string: "3.00")!, vat: Decimal(string: "7.50")!, units: "100",
            keyChangeTokens: Array([STSTokenCode("11112222333344445555")!, STSTokenCode("66667777888899990000")!].prefix(keyChanges)),
            creditToken: STSTokenCode("38710157931285535068")!,
            tariffBlocks: [VendTariffBlock(units: 25, rate: Decimal(string: "0.39")!)])
    }

    private func seedTree() throws -> JSONTree {
        let url = try #require(Bundle.module.url(forResource: "seed-success-response", withExtension: "json", subdirectory: "Fixtures"))
        return try JSONDecoder().decode(JSONTree.self, from: Data(contentsOf: url))
    }

    /// Every key path of `seed` exists in `ours` with the same JSON kind (objects recursively;
    /// arrays by their first element when both have one). A seed `null` is a nullable string.
    private func compare(_ seed: JSONTree, _ ours: JSONTree, path: String = "top") {
        if case .null = seed {
            #expect(ours.kind == "null" || ours.kind == "string", "kind of \(path)")
            return
        }
        #expect(seed.kind == ours.kind, "kind of \(path)")
        switch (seed, ours) {
        case (.object(let a), .object(let b)):
            #expect(Set(a.keys) == Set(b.keys), "keys of \(path)")
            for (key, value) in a { if let other = b[key] { compare(value, other, path: path + "." + key) } }
        case (.array(let a), .array(let b)):
            if let first = a.first, let other = b.first { compare(first, other, path: path + "[0]") }
        default:
            break
        }
    }

    private func ourObject(_ body: VendSuccessBody) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: JSONEncoder().encode(body)) as! [String: Any]
    }

    @Test func hasTheSeedsKeysAndTypesEverywhere() throws {
        let body = VendSuccessBody(receiptItems: VendReceipt(sale: Self.sale(), cashier: "Agent One"))
        compare(try seedTree(), try JSONDecoder().decode(JSONTree.self, from: JSONEncoder().encode(body)))
    }

    @Test func feesAndTotalsAddUpInDecimals() throws {
        let receipt = VendReceipt(sale: Self.sale(), cashier: "Agent One")
        let fees = receipt.feeDetails.map { Decimal(string: $0.amount)! }.reduce(0, +)
        #expect(receipt.totals.fees == MoneyText.format(fees))
        #expect(receipt.totals.fees == "11.00")
        #expect(Decimal(string: receipt.totals.elec)! + fees == Decimal(string: receipt.totals.tendered)!)
        #expect(receipt.totals.total == "50.00" && receipt.amountTendered == "50.00")
        #expect(receipt.meterDetails.sgcTi == "123/456")
        #expect(receipt.receiptNo == receipt.receiptNumber)
        #expect(receipt.tokenGenTime == "2024-01-01 12:00:00" && receipt.dateTime == "2024-01-01 12:00:00")
    }

    @Test func keyChangeTokensComeBeforeTheCreditTokenInGroupsOfFour() throws {
        let receipt = VendReceipt(sale: Self.sale(keyChanges: 2), cashier: "Agent One")
        #expect(receipt.stdTokens.map(\.code) == ["1111 2222 3333 4444 5555", "6666 7777 8888 9999 0000", "3871 0157 9312 8553 5068"])
        #expect(receipt.stdTokens.map(\.sortOrder) == ["1", "2", "3"])
        #expect(receipt.stdTokens.last?.desc == "Credit Token")
        #expect(receipt.stdTokens.last?.amount == "39.00")
        let plain = VendReceipt(sale: Self.sale(), cashier: "Agent One")
        #expect(plain.stdTokens.count == 1 && plain.stdTokens[0].sortOrder == "1")
    }

    @Test func nullsAppearWhereTheSeedHasThemAndTheReceiptRoundTrips() throws {
        let body = VendSuccessBody(receiptItems: VendReceipt(sale: Self.sale(), cashier: "Agent One"))
        let object = try ourObject(body)
        #expect(object["message"] is NSNull)
        let items = try #require(object["receiptItems"] as? [String: Any])
        #expect(items["customer_address"] is NSNull)
        #expect((items["utility_details"] as? [String: Any])?["contact_number"] is NSNull)
        let decoded = try JSONDecoder().decode(VendSuccessBody.self, from: JSONEncoder().encode(body))
        #expect(decoded == body)
    }
}

/// A JSON document reduced to what the shape comparison needs.
indirect enum JSONTree: Decodable {
    case null, bool, number, string
    case array([JSONTree])
    case object([String: JSONTree])

    init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null }
        else if (try? c.decode(Bool.self)) != nil { self = .bool }
        else if (try? c.decode(Double.self)) != nil { self = .number }
        else if (try? c.decode(String.self)) != nil { self = .string }
        else if let array = try? c.decode([JSONTree].self) { self = .array(array) }
        else { self = .object(try c.decode([String: JSONTree].self)) }
    }

    var kind: String {
        switch self {
        case .null: "null"
        case .bool: "bool"
        case .number: "number"
        case .string: "string"
        case .array: "array"
        case .object: "object"
        }
    }
}
