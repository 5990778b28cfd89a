import CustomerData
import CustomerDataStores
import ExactJSON
import Foundation
import Users

/// Seed 002's profile response: every field of the seed in its order, `history` by `fecha`.
enum SalesHistoryJSON {
    /// - Parameter zone: the organisation's zone, in which `fecha` is written (with its offset).
    static func profile(_ profile: SalesHistoryStore.Profile, zone: TimeZone) -> ExactJSON {
        let user = profile.user, fields = user.profile
        func text(_ value: String?) -> ExactJSON { value.map { .string($0) } ?? .null }
        func number(_ value: Decimal?) -> ExactJSON { value.map { .number(JSONNumber($0)) } ?? .null }
        let history = profile.history.map { item -> ExactJSON in
            .object(JSONObject([
                "nit": .string(item.nit), "monto": .number(JSONNumber(item.amount)),
                "fecha": .string(ZonedInstant.format(item.date, in: zone)), "emc": .string(item.company),
            ]))
        }
        return .object(JSONObject([
            "id": .string(user.id.uuidString.lowercased()), "image": text(fields.image), "name": text(fields.name),
            "lastname": text(fields.lastname), "business_name": text(fields.businessName), "quota": number(fields.quota),
            "status": .string(fields.status), "phone": text(fields.phone), "email": text(fields.email), "nit": text(fields.nit),
            "address": text(fields.address), "history": .array(history), "score": number(fields.score),
            "payment_data": .object(fields.paymentData), "apn_token": text(fields.apnToken), "ecosystem": text(fields.ecosystem),
            "business_entity": text(fields.businessEntity), "additional_data": .object(fields.additionalData),
        ]))
    }
}
