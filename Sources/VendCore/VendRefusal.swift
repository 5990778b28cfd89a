/// Why the vend API refuses a request before anything is bought. Each case knows its message;
/// the API layer chooses the status and the seed's `{"result": "FAILED", "message", "type": null}`
/// body (docs/VEND.md lists both).
public enum VendRefusal: Error, Sendable, Equatable, CustomStringConvertible {
    /// A required field is missing or of the wrong type, or the amount is not a whole number: the
    /// seed's own message, as written.
    case requiredFieldsOrInteger
    case amountBelowMinimum(minimum: String)
    case amountAboveMaximum(maximum: String)
    case meterNumberFormat
    case meterNumberCheckDigit
    case transIDFormat
    case emailFormat
    /// The meter is not registered to a customer of the caller's organisation.
    case meterNotRegistered(String)
    case elecToken(ElecTokenRefusal)
    /// The transID belongs to another purchase (another meter, amount or caller).
    case transIDUsedForAnotherPurchase(String)

    /// The seed's validation message, spelling included.
    public static let seedValidationMessage = "Please provide required fields or provide amount as interger."

    public var message: String {
        switch self {
        case .requiredFieldsOrInteger: Self.seedValidationMessage
        case .amountBelowMinimum(let minimum): "The amount must be at least \(minimum)."
        case .amountAboveMaximum(let maximum): "The amount may not be greater than \(maximum)."
        case .meterNumberFormat: "The meterNumber must be an STS meter number of 11 or 13 digits."
        case .meterNumberCheckDigit: "The meterNumber fails its check digit (Luhn): please check the number on the meter."
        case .transIDFormat: "The transID must be 1 to 64 printable ASCII characters without spaces or slashes."
        case .emailFormat: "The email must be a valid email address."
        case .meterNotRegistered(let meter): "The meter \(meter) is not registered to a customer."
        case .elecToken(let refusal): refusal.message
        case .transIDUsedForAnotherPurchase(let transID):
            "The transID \(transID) has already been used for a different purchase; use a new transID."
        }
    }

    public var description: String { message }
}

/// Why an `elec_token` cannot pay for a purchase.
public enum ElecTokenRefusal: Sendable, Equatable {
    case unknown
    case expired
    case used
    /// Issued to another user.
    case otherCaller
    case otherTransID
    case otherMeter
    case otherAmount

    public var message: String {
        switch self {
        case .unknown: "The elec_token is not valid: verify the customer again to get a new one."
        case .expired: "The elec_token has expired: verify the customer again to get a new one."
        case .used: "The elec_token has already been used: verify the customer again to get a new one."
        case .otherCaller: "The elec_token was issued to another user."
        case .otherTransID: "The elec_token was issued for another transID."
        case .otherMeter: "The elec_token was issued for another meterNumber."
        case .otherAmount: "The elec_token was issued for another amount."
        }
    }
}
