import CustomerData
import ExactJSON
import Foundation
import Testing

/// Seed 003's body: Example 1 as written, and each rule refused with its message.
struct PurchaseEventDecoderTests {
    /// Seed 003's Example 1 body, as written: the file the local run posts.
    static let example1 = try! String(
        contentsOf: URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Deploy/demo/example1.json"), encoding: .utf8)
    private let now = Date(timeIntervalSince1970: 1_735_689_600)  // 2025-01-01T00:00:00Z

    private func decode(_ body: String) -> Result<PurchaseEventRequest, RequestRefusal> {
        PurchaseEventDecoder.decode(Array(body.utf8), now: now)
    }

    /// Example 1 with `changes` applied to its top level (nil removes a member).
    private func example(_ changes: [String: String?]) -> String {
        var object = try! ExactJSON.parse(Self.example1).objectValue!.members
        for (key, value) in changes.sorted(by: { $0.key < $1.key }) {
            object.removeAll { $0.key == key }
            if let value { object.append(.init(key: key, value: try! ExactJSON.parse(value))) }
        }
        return ExactJSON.object(JSONObject(object)).text
    }

    private func message(_ changes: [String: String?]) -> String? {
        if case .failure(let refusal) = decode(example(changes)) { refusal.message } else { nil }
    }

    @Test func decodesExample1AsWritten() throws {
        let request = try decode(Self.example1).get()
        #expect(request.id == nil)
        #expect(request.contact == .cim("4A30966F684B0269AD91"))
        #expect(request.referenceNumber == "RF000001")
        #expect(request.classification == .code("CCC"))
        #expect(request.currencyCode == "EUR")
        #expect(request.paymentMediumIdentifier == "42424242")
        #expect(request.performedOn == 1_572_423_477)
        #expect(request.merchant == .code("EK123456"))
        #expect(request.outlet == .code("CD123456"))
        #expect(request.products == [.init(sku: "FREDESPR001", quantity: 2, netAmount: Decimal(string: "14.15")!,
                                           taxAmount: Decimal(string: "1.04")!, totalAmount: Decimal(string: "15.19")!)])
        #expect(request.spendRequest == .amount(Decimal(string: "2.12")!))
    }

    @Test func optionalFieldsMayBeLeftOut() throws {
        let request = try decode(#"{"contact_id": "0b7e1a52-54c2-4c1e-9e39-3f4a1c2d5e6f", "reference_number": "R", "outlet_tap": {"id": "7d444840-9dc0-11d1-b245-5ffdce74fad2"}, "products": [{"product_sku": "S", "net_amount": 1, "tax_amount": 0, "total_amount": 1}]}"#).get()
        #expect(request.products[0].quantity == 1)
        #expect(request.performedOn == nil)
        #expect(request.merchant == nil)
        #expect(request.outlet == .id(UUID(uuidString: "7d444840-9dc0-11d1-b245-5ffdce74fad2")!))
        #expect(request.contact == .id(UUID(uuidString: "0b7e1a52-54c2-4c1e-9e39-3f4a1c2d5e6f")!))
    }

    @Test(arguments: [
        (["id": #""PCE12345678909876544GUID""#], #"id: "PCE12345678909876544GUID" is not a GUID."#),
        (["id": "7"], "id: must be a GUID string such as 0b7e1a52-54c2-4c1e-9e39-3f4a1c2d5e6f."),
        (["contact_id": #""0b7e1a52-54c2-4c1e-9e39-3f4a1c2d5e6f""#], "contact_id, cim: specify exactly one of them; both were given."),
        (["cim": nil], "contact_id, cim: specify exactly one of them; neither was given."),
        (["cim": nil, "contact_id": #""abc""#], #"contact_id: "abc" is not a GUID."#),
        (["cim": #""""#], "cim: must not be empty."),
        (["reference_number": nil], "reference_number: is required."),
        (["reference_number": "1"], "reference_number: must be a string."),
        (["reference_number": #"" ""#], "reference_number: must not be empty."),
        (["reference_number": "\"\(String(repeating: "R", count: 101))\""], "reference_number: is longer than 100 characters."),
        // 51 characters, 102 code points: lengths count code points, as JSON Schema and PostgreSQL do.
        (["reference_number": "\"\(String(repeating: "e\u{301}", count: 51))\""], "reference_number: is longer than 100 characters."),
        (["classification": #"{"code": "CCC", "id": "0b7e1a52-54c2-4c1e-9e39-3f4a1c2d5e6f"}"#],
         "classification: specify exactly one of id and code; both were given."),
        (["classification": "{}"], "classification: specify exactly one of id and code; neither was given."),
        (["classification": #""CCC""#], "classification: must be an object with id or code."),
        (["classification": #"{"code": "CCC", "name": "x"}"#], "classification.name: unknown field (allowed: id, code)."),
        (["classification": #"{"id": "CCC"}"#], #"classification.id: "CCC" is not a GUID."#),
        (["currency_code": #""EUX""#], #"currency_code: "EUX" is not an ISO 4217 currency code (such as EUR, USD or COP, in capitals)."#),
        (["currency_code": #""eur""#], #"currency_code: "eur" is not an ISO 4217 currency code (such as EUR, USD or COP, in capitals)."#),
        (["currency_code": "978"], "currency_code: must be a string."),
        (["payment_medium_identifier": "42424242"], "payment_medium_identifier: must be a string."),
        (["performed_on": "1572423477000"], "performed_on: 1572423477000 looks like milliseconds; send seconds since the epoch (1572423477)."),
        (["performed_on": "1572423477.5"], "performed_on: must be a whole number of seconds since 1970-01-01T00:00:00Z (epoch), such as 1572423477."),
        (["performed_on": "1.5e9"], "performed_on: must be a whole number of seconds since 1970-01-01T00:00:00Z (epoch), such as 1572423477."),
        (["performed_on": #""1572423477""#], "performed_on: must be a whole number of seconds since 1970-01-01T00:00:00Z (epoch), such as 1572423477."),
        (["performed_on": "-1"], "performed_on: must be a whole number of seconds since 1970-01-01T00:00:00Z (epoch), such as 1572423477."),
        (["performed_on": "1735690501"], "performed_on: 1735690501 (2025-01-01T00:15:01Z) is more than 900 seconds in the future."),
        (["performed_on": "99999999999999"], "performed_on: 99999999999999 is more than 900 seconds in the future."),
        (["performed_on": "100"], "performed_on: 100 (1970-01-01T00:01:40Z) is before 2000-01-01T00:00:00Z."),
        (["merchant_tap": nil, "outlet_tap": nil], "merchant_tap, outlet_tap: specify at least one of them (the merchant, its outlet, or both)."),
        (["merchant_tap": #"{"code": ""}"#], "merchant_tap.code: must not be empty."),
        (["outlet_tap": #"{"id": "x", "code": "y"}"#], "outlet_tap: specify exactly one of id and code; both were given."),
        (["products": nil], "products: is required: the purchased items, at least one."),
        (["products": "[]"], "products: must hold at least one product."),
        (["products": "{}"], "products: must be an array of objects with product_sku, quantity, net_amount, tax_amount and total_amount."),
        (["products": "[1]"], "products[0]: must be an object with product_sku, quantity, net_amount, tax_amount and total_amount."),
        (["products": #"[{"net_amount": 1, "tax_amount": 0, "total_amount": 1}]"#], "products[0].product_sku: is required."),
        (["products": #"[{"product_sku": "S", "tax_amount": 0, "total_amount": 1}]"#], "products[0].net_amount: is required."),
        (["products": #"[{"product_sku": "S", "net_amount": 1, "total_amount": 1}]"#], "products[0].tax_amount: is required."),
        (["products": #"[{"product_sku": "S", "net_amount": 1, "tax_amount": 0}]"#], "products[0].total_amount: is required."),
        (["products": #"[{"product_sku": "S", "net_amount": "1", "tax_amount": 0, "total_amount": 1}]"#],
         "products[0].net_amount: must be a number, such as 14.15 (not a string)."),
        (["products": #"[{"product_sku": "S", "net_amount": -1, "tax_amount": 0, "total_amount": -1}]"#],
         "products[0].net_amount: must not be negative. products[0].total_amount: must not be negative."),
        (["products": #"[{"product_sku": "S", "quantity": 0, "net_amount": 1, "tax_amount": 0, "total_amount": 1}]"#],
         "products[0].quantity: must be greater than zero."),
        (["products": #"[{"product_sku": "S", "net_amount": 14.15, "tax_amount": 1.04, "total_amount": 15.2}]"#],
         "products[0].total_amount: 15.2 is not net_amount + tax_amount (14.15 + 1.04 = 15.19)."),
        (["products": #"[{"product_sku": "S", "net_amount": 0.1, "tax_amount": 0.2, "total_amount": 0.30000000000000004}]"#],
         "products[0].total_amount: 0.30000000000000004 has more than 6 decimals."),
        (["products": #"[{"product_sku": "S", "net_amount": 14.15, "tax_amount": 1.04, "total_amount": 15.19, "price": 1}]"#],
         "products[0].price: unknown field (allowed: product_sku, quantity, net_amount, tax_amount, total_amount)."),
        (["spend_request": #"{"amount": 1, "alternative_amount": 2}"#], "spend_request: specify exactly one of amount and alternative_amount; both were given."),
        (["spend_request": "{}"], "spend_request: specify exactly one of amount and alternative_amount; neither was given."),
        (["spend_request": #"{"amount": 0}"#], "spend_request.amount: must be greater than zero."),
        (["spend_request": #"{"amount": 15.20}"#], "spend_request.amount: 15.2 is more than the purchase's total (the products' total_amount, 15.19)."),
        (["spend_request": "[]"], "spend_request: must be an object with amount or alternative_amount."),
        (["colour": #""red""#], "colour: unknown field (allowed: id, contact_id, cim, reference_number, classification, currency_code, payment_medium_identifier, performed_on, merchant_tap, outlet_tap, products, spend_request)."),
    ] as [([String: String?], String)])
    func refuses(changes: [String: String?], expected: String) {
        #expect(message(changes) == expected)
    }

    /// A client that writes absent members as `null` (the document says each optional member may be null).
    @Test func nullCountsAsAbsent() throws {
        let request = try decode(example([
            "id": "null", "contact_id": "null", "currency_code": "null", "payment_medium_identifier": "null", "performed_on": "null",
            "classification": #"{"id": null, "code": "CCC"}"#, "merchant_tap": "null",
            "products": #"[{"product_sku": "FREDESPR001", "quantity": null, "net_amount": 1, "tax_amount": 0, "total_amount": 1}]"#,
            "spend_request": #"{"amount": null, "alternative_amount": 3}"#,
        ])).get()
        #expect(request.id == nil && request.currencyCode == nil && request.paymentMediumIdentifier == nil && request.performedOn == nil)
        #expect(request.contact == .cim("4A30966F684B0269AD91"))
        #expect(request.classification == .code("CCC"))
        #expect(request.merchant == nil && request.outlet == .code("CD123456"))
        #expect(request.products[0].quantity == 1)
        #expect(request.spendRequest == .alternativeAmount(3))
    }

    @Test func refusesBodiesThatAreNotObjects() {
        #expect(message(["x": nil]) == nil)
        if case .failure(let refusal) = decode("[") { #expect(refusal.message == "The body is not valid JSON: the document ends too early at byte 1.") }
        if case .failure(let refusal) = decode("[]") { #expect(refusal.message == "The body must be a JSON object.") }
    }

    @Test func anAlternativeAmountMayExceedTheTotal() throws {
        #expect(try decode(example(["spend_request": #"{"alternative_amount": 500}"#])).get().spendRequest == .alternativeAmount(500))
    }

    @Test func theNormalisedFormIgnoresSpellingButNotValues() throws {
        let first = try decode(Self.example1).get()
        let respelt = try decode(example([
            "products": #"[{"total_amount": 15.190, "quantity": 2.0, "tax_amount": 1.04, "net_amount": 1.415e1, "product_sku": "FREDESPR001"}]"#,
            "id": #""0b7e1a52-54c2-4c1e-9e39-3f4a1c2d5e6f""#,
        ])).get()
        #expect(first.normalized.canonicalText == respelt.normalized.canonicalText)
        #expect(respelt.fieldsDiffering(from: first.normalized).isEmpty)
        let other = try decode(example(["performed_on": "1572423478", "spend_request": #"{"amount": 2}"#])).get()
        #expect(other.fieldsDiffering(from: first.normalized) == ["performed_on", "spend_request"])
        let withoutQuantity = try decode(example([
            "products": #"[{"product_sku": "FREDESPR001", "net_amount": 14.15, "tax_amount": 1.04, "total_amount": 15.19}]"#,
        ])).get()
        #expect(withoutQuantity.fieldsDiffering(from: first.normalized) == ["products"])
    }
}
