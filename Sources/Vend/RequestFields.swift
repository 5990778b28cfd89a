import ExactJSON
import Foundation
import VendCore

/// The top-level fields of a JSON request body, read with the project's exact JSON reader, so a
/// missing field, a field of the wrong type and a number are told apart, and amounts stay exact
/// `Decimal`s (never through `Double`). A body with a duplicate key is not an object here.
struct RequestFields {
    private let object: JSONObject

    /// Nil when `body` is not a JSON object.
    init?(json body: [UInt8]) {
        guard let document = try? ExactJSON.parse(body, maximumDepth: 16), let object = document.objectValue else { return nil }
        self.object = object
    }

    /// The field as a non-empty string, else nil (missing, empty, `null`, or another type).
    func string(_ name: String) -> String? {
        guard let text = object[name]?.stringValue, !text.isEmpty else { return nil }
        return text
    }

    /// The field as a number: a JSON number, or a string holding a plain decimal number (`"50.00"`),
    /// as the seed's "numeric" rule allows. Nil when missing, not numeric, or beyond `Decimal`.
    func number(_ name: String) -> Decimal? {
        switch object[name] {
        case .number(let number)?: number.decimal
        case .string(let text)?: MoneyText.parse(text)
        default: nil
        }
    }
}
