import Foundation

/// The top-level fields of a JSON request body, each kept as what it is, so that a missing field,
/// a field of the wrong type and a number are told apart, and numbers stay exact `Decimal`s
/// (decoded from their text, never through `Double`).
struct RequestFields {
    enum Value {
        case string(String)
        case number(Decimal)
        /// `null`, booleans, arrays and objects: none is a valid value for a vend field.
        case other
    }

    private let values: [String: Value]

    /// Nil when `body` is not a JSON object.
    init?(json body: Data) {
        guard let decoded = try? JSONDecoder().decode([String: DecodedValue].self, from: body) else { return nil }
        values = decoded.mapValues(\.value)
    }

    /// The field as a non-empty string, else nil (missing, empty, or another type).
    func string(_ name: String) -> String? {
        guard case .string(let text)? = values[name], !text.isEmpty else { return nil }
        return text
    }

    /// The field as a number: a JSON number, or a string holding a plain decimal number (`"50.00"`),
    /// as the seed's "numeric" rule allows. Nil when missing or not numeric.
    func number(_ name: String) -> Decimal? {
        switch values[name] {
        case .number(let value)?: value
        case .string(let text)?: MoneyText.parse(text)
        default: nil
        }
    }

    private struct DecodedValue: Decodable {
        let value: Value

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let text = try? container.decode(String.self) {
                value = .string(text)
            } else if let number = try? container.decode(Decimal.self) {
                value = .number(number)
            } else {
                value = .other
            }
        }
    }
}
