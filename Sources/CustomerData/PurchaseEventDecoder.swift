import ExactJSON
import Foundation

/// Decodes and checks a purchase customer event body (seed 003) with every rule the seed states,
/// collecting every problem with its field (`products[0].total_amount: ...`). References
/// (contact, taps, classification, SKUs, currency of the organisation) are resolved later, by the
/// store.
public enum PurchaseEventDecoder {
    static let fields = ["id", "contact_id", "cim", "reference_number", "classification", "currency_code",
                         "payment_medium_identifier", "performed_on", "merchant_tap", "outlet_tap", "products", "spend_request"]
    static let productFields = ["product_sku", "quantity", "net_amount", "tax_amount", "total_amount"]

    public static func decode(_ body: some Collection<UInt8>, now: Date,
                              rules: PurchaseEventRules = PurchaseEventRules()) -> Result<PurchaseEventRequest, RequestRefusal> {
        let document: ExactJSON
        do {
            document = try ExactJSON.parse(body)
        } catch {
            return .failure(RequestRefusal(["The body is not valid JSON: \(error)."], language: .english))
        }
        guard let object = document.objectValue else {
            return .failure(RequestRefusal(["The body must be a JSON object."], language: .english))
        }
        var reader = FieldReader(rules: rules)
        for key in object.keys where !fields.contains(key) {
            reader.problem(key, "unknown field (allowed: \(fields.joined(separator: ", "))).")
        }
        let id = reader.guid(object["id"], "id")
        let contact = decodeContact(object, &reader)
        let referenceNumber = reader.requiredText(object["reference_number"], "reference_number")
        let classification = reader.reference(object["classification"], "classification")
        let currencyCode = decodeCurrency(object["currency_code"], &reader)
        let paymentMedium = reader.optionalText(object["payment_medium_identifier"], "payment_medium_identifier")
        let performedOn = decodePerformedOn(object["performed_on"], now: now, &reader)
        let merchant = reader.reference(object["merchant_tap"], "merchant_tap")
        let outlet = reader.reference(object["outlet_tap"], "outlet_tap")
        if object["merchant_tap"]?.isNull ?? true, object["outlet_tap"]?.isNull ?? true {
            reader.problem("merchant_tap, outlet_tap", "specify at least one of them (the merchant, its outlet, or both).")
        }
        let products = decodeProducts(object["products"], &reader)
        let spendRequest = decodeSpendRequest(object["spend_request"], products: products, &reader)
        guard reader.problems.isEmpty, let contact, let referenceNumber, let products else {
            return .failure(RequestRefusal(reader.problems, language: .english))
        }
        return .success(PurchaseEventRequest(
            id: id ?? nil, contact: contact, referenceNumber: referenceNumber, classification: classification ?? nil,
            currencyCode: currencyCode, paymentMediumIdentifier: paymentMedium ?? nil, performedOn: performedOn,
            merchant: merchant ?? nil, outlet: outlet ?? nil, products: products, spendRequest: spendRequest))
    }

    private static func decodeContact(_ object: JSONObject, _ reader: inout FieldReader) -> PurchaseEventRequest.Contact? {
        let hasID = !(object["contact_id"]?.isNull ?? true), hasCIM = !(object["cim"]?.isNull ?? true)
        switch (hasID, hasCIM) {
        case (true, true):
            reader.problem("contact_id, cim", "specify exactly one of them; both were given.")
        case (false, false):
            reader.problem("contact_id, cim", "specify exactly one of them; neither was given.")
        case (true, false):
            if let id = reader.guid(object["contact_id"], "contact_id") ?? nil { return .id(id) }
        case (false, true):
            if let cim = reader.requiredText(object["cim"], "cim") { return .cim(cim) }
        }
        return nil
    }

    private static func decodeCurrency(_ value: ExactJSON?, _ reader: inout FieldReader) -> String? {
        guard let code = reader.optionalText(value, "currency_code") ?? nil else { return nil }
        guard CurrencyCodes.isISO4217(code) else {
            reader.problem("currency_code", "\(RequestRefusal.quoted(code)) is not an ISO 4217 currency code (such as EUR, USD or COP, in capitals).")
            return nil
        }
        return code
    }

    private static func decodePerformedOn(_ value: ExactJSON?, now: Date, _ reader: inout FieldReader) -> Int64? {
        guard let value, !value.isNull else { return nil }
        let field = "performed_on"
        guard let number = value.numberValue, number.isInteger, !number.hasFractionOrExponent, !number.isNegative,
              let seconds = Int64(number.literal)
        else {
            reader.problem(field, "must be a whole number of seconds since 1970-01-01T00:00:00Z (epoch), such as 1572423477.")
            return nil
        }
        let latest = Int64(now.timeIntervalSince1970 + reader.rules.futureHorizon)
        if seconds > latest, seconds / 1000 >= reader.rules.earliest, seconds / 1000 <= latest {
            reader.problem(field, "\(seconds) looks like milliseconds; send seconds since the epoch (\(seconds / 1000)).")
        } else if seconds > latest {
            reader.problem(field, "\(seconds)\(utc(seconds)) is more than \(Int(reader.rules.futureHorizon)) seconds in the future.")
        } else if seconds < reader.rules.earliest {
            reader.problem(field, "\(seconds)\(utc(seconds)) is before \(ZonedInstant.format(Date(timeIntervalSince1970: Double(reader.rules.earliest)), in: TimeZone(identifier: "UTC")!)).")
        } else {
            return seconds
        }
        return nil
    }

    private static func decodeProducts(_ value: ExactJSON?, _ reader: inout FieldReader) -> [PurchaseEventRequest.Product]? {
        guard let value, !value.isNull else {
            reader.problem("products", "is required: the purchased items, at least one.")
            return nil
        }
        guard let elements = value.arrayValue else {
            reader.problem("products", "must be an array of objects with product_sku, quantity, net_amount, tax_amount and total_amount.")
            return nil
        }
        guard !elements.isEmpty, elements.count <= reader.rules.maximumProducts else {
            reader.problem("products", elements.isEmpty ? "must hold at least one product."
                               : "holds \(elements.count) products; at most \(reader.rules.maximumProducts) are allowed.")
            return nil
        }
        var products: [PurchaseEventRequest.Product] = []
        for (index, element) in elements.enumerated() {
            let path = "products[\(index)]"
            guard let object = element.objectValue else {
                reader.problem(path, "must be an object with product_sku, quantity, net_amount, tax_amount and total_amount.")
                continue
            }
            for key in object.keys where !productFields.contains(key) {
                reader.problem("\(path).\(key)", "unknown field (allowed: \(productFields.joined(separator: ", "))).")
            }
            let sku = reader.requiredText(object["product_sku"], "\(path).product_sku")
            let quantity = object["quantity"].flatMap { $0.isNull ? nil : $0 }
                .map { reader.amount($0, "\(path).quantity", positive: true) } ?? Decimal(1)
            let net = reader.requiredAmount(object["net_amount"], "\(path).net_amount")
            let tax = reader.requiredAmount(object["tax_amount"], "\(path).tax_amount")
            let total = reader.requiredAmount(object["total_amount"], "\(path).total_amount")
            if let net, let tax, let total, net + tax != total {
                reader.problem("\(path).total_amount", "\(total) is not net_amount + tax_amount (\(net) + \(tax) = \(net + tax)).")
                continue
            }
            if let sku, let quantity, let net, let tax, let total {
                products.append(.init(sku: sku, quantity: quantity, netAmount: net, taxAmount: tax, totalAmount: total))
            }
        }
        return products.count == elements.count ? products : nil
    }

    private static func decodeSpendRequest(_ value: ExactJSON?, products: [PurchaseEventRequest.Product]?,
                                           _ reader: inout FieldReader) -> PurchaseEventRequest.SpendRequest? {
        guard let value, !value.isNull else { return nil }
        let field = "spend_request"
        guard let object = value.objectValue else {
            reader.problem(field, "must be an object with amount or alternative_amount.")
            return nil
        }
        for key in object.keys where key != "amount" && key != "alternative_amount" {
            reader.problem("\(field).\(key)", "unknown field (allowed: amount, alternative_amount).")
        }
        let amount = object["amount"].flatMap { $0.isNull ? nil : $0 }
        let alternative = object["alternative_amount"].flatMap { $0.isNull ? nil : $0 }
        switch (amount, alternative) {
        case (.some, .some): reader.problem(field, "specify exactly one of amount and alternative_amount; both were given.")
        case (nil, nil): reader.problem(field, "specify exactly one of amount and alternative_amount; neither was given.")
        case (let amount?, nil):
            guard let value = reader.amount(amount, "\(field).amount", positive: true) else { return nil }
            let total = (products ?? []).reduce(Decimal(0)) { $0 + $1.totalAmount }
            if let products, !products.isEmpty, value > total {
                reader.problem("\(field).amount", "\(value) is more than the purchase's total (the products' total_amount, \(total)).")
                return nil
            }
            return .amount(value)
        case (nil, let alternative?):
            return reader.amount(alternative, "\(field).alternative_amount", positive: true).map { .alternativeAmount($0) }
        }
        return nil
    }

    /// ` (2025-01-01T00:15:01Z)` for a time up to the year 9999, else nothing.
    static func utc(_ seconds: Int64) -> String {
        guard seconds <= 253_402_300_799 else { return "" }
        return " (" + ZonedInstant.format(Date(timeIntervalSince1970: Double(seconds)), in: TimeZone(identifier: "UTC")!) + ")"
    }
}
