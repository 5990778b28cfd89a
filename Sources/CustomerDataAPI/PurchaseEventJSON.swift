import CustomerData
import CustomerDataStores
import Domain
import ExactJSON
import Foundation

/// Recorded purchase customer events as the GET endpoints answer them, in the seed's field names.
enum PurchaseEventJSON {
    static func event(_ event: PurchaseEventRecord) -> ExactJSON {
        func named(_ value: PurchaseEventRecord.Named?) -> ExactJSON {
            value.map { .object(JSONObject(["id": .string($0.id.uuidString.lowercased()), "code": .string($0.code)])) } ?? .null
        }
        func text(_ value: String?) -> ExactJSON { value.map { .string($0) } ?? .null }
        func number(_ value: Decimal) -> ExactJSON { .number(JSONNumber(value)) }
        let spend: ExactJSON = switch event.spendRequest {
        case .amount(let amount)?: .object(JSONObject(["amount": number(amount)]))
        case .alternativeAmount(let amount)?: .object(JSONObject(["alternative_amount": number(amount)]))
        case nil: .null
        }
        let products = event.products.map { line -> ExactJSON in
            .object(JSONObject([
                "product_sku": .string(line.product.code), "product_id": .string(line.product.id.uuidString.lowercased()),
                "quantity": number(line.quantity), "net_amount": number(line.netAmount), "tax_amount": number(line.taxAmount),
                "total_amount": number(line.totalAmount),
            ]))
        }
        return .object(JSONObject([
            "id": .string(event.id.uuidString.lowercased()), "reference_number": .string(event.referenceNumber),
            "life_cycle_state": .string(event.lifeCycleState), "contact_id": .string(event.contactID.uuidString.lowercased()),
            "account_id": .string(event.accountID.uuidString.lowercased()), "cim": text(event.cim),
            "classification": named(event.classification), "currency_code": text(event.currencyCode),
            "payment_medium_identifier": text(event.paymentMediumIdentifier), "performed_on": epoch(event.performedOn),
            "merchant_tap": named(event.merchant), "outlet_tap": named(event.outlet), "products": .array(products),
            "spend_request": spend, "total_amount": number(event.totalAmount), "created_on": epoch(event.createdAt),
        ]))
    }

    /// `{"data": [...], "meta": {"page", "limit", "total", "totalPages"}}`, as the other paged lists answer.
    static func page(_ page: Page<PurchaseEventRecord>, number: Int, limit: Int) -> ExactJSON {
        let pages = page.total == 0 ? 0 : (page.total + limit - 1) / limit
        return .object(JSONObject([
            "data": .array(page.records.map(event)),
            "meta": .object(JSONObject([
                "page": .number(JSONNumber(number)), "limit": .number(JSONNumber(limit)), "total": .number(JSONNumber(page.total)),
                "totalPages": .number(JSONNumber(pages)),
            ])),
        ]))
    }

    /// Whole seconds since the epoch, like the seed's `performed_on`.
    static func epoch(_ date: Date) -> ExactJSON { .number(JSONNumber(Int(date.timeIntervalSince1970.rounded(.down)))) }
}
