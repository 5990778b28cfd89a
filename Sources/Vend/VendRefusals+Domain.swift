import Domain
import VendCore

extension VendRefusals {
    /// The domain failure these refusals make: a transID taken by another purchase is a
    /// conflict, an unregistered meter is not found, everything else breaks a rule. The code tells
    /// the vend envelope to write the seed's `{"result": "FAILED", "message", "type": null}`.
    public var domainError: DomainError {
        let kind: DomainError.Kind
        let code: String
        switch refusals.first {
        case .transIDUsedForAnotherPurchase?:
            kind = .conflict
            code = "TRANS_ID_CONFLICT"
        case .meterNotRegistered?:
            kind = .notFound
            code = "METER_NOT_REGISTERED"
        case .elecToken?:
            kind = .invalid
            code = "ELEC_TOKEN_REFUSED"
        default:
            kind = .invalid
            code = "VALIDATION_FAILED"
        }
        return DomainError(kind, code: code, message: message)
    }
}
