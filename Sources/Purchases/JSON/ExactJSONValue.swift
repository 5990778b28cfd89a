/// A JSON value whose numbers keep the exact text of the document.
///
/// Purchase quantities are exact decimals (MW to the kW), so they must never pass through a
/// `Double`: `0.1` read as a binary float is no longer 0.1. Numbers stay the literal text here and
/// `PurchaseQuantity` parses them exactly.
public enum ExactJSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    /// The number exactly as written, e.g. `12.0`, `-0.125`, `1e3`.
    case number(String)
    /// The non-standard `NaN`, `Infinity` and `-Infinity` tokens (Python's `json.dumps` writes them
    /// by default); kept so that validation can say the value must be finite.
    case nonFinite(String)
    case string(String)
    case array([ExactJSONValue])
    case object(ExactJSONObject)
}

/// The members of a JSON object in document order. A repeated key keeps its last value, as
/// Python's `json` module does (the seed's clients were written against such a server).
public struct ExactJSONObject: Sendable, Equatable {
    public private(set) var members: [(key: String, value: ExactJSONValue)] = []

    public init(_ members: [(key: String, value: ExactJSONValue)] = []) {
        self.members = members
    }

    /// The value of `key` (the last one when repeated), nil when absent. Linear: lookups happen
    /// only for a few known keys, on the top level and on items of two members.
    public subscript(key: String) -> ExactJSONValue? {
        for member in members.reversed() where member.key == key { return member.value }
        return nil
    }

    public var count: Int { members.count }

    /// Appends a member without looking for an earlier one with the same key (lookups take the
    /// last), so reading a hostile object with many keys stays linear.
    mutating func append(_ key: String, _ value: ExactJSONValue) {
        members.append((key, value))
    }

    public static func == (lhs: ExactJSONObject, rhs: ExactJSONObject) -> Bool {
        let keys = Set(lhs.members.map(\.key))
        return keys == Set(rhs.members.map(\.key)) && keys.allSatisfy { lhs[$0] == rhs[$0] }
    }
}

/// Why a body is not JSON, with the byte offset where reading stopped (for logs; clients get the
/// family's plain message).
public struct ExactJSONSyntaxError: Error, Equatable, Sendable, CustomStringConvertible {
    public let offset: Int
    public let expected: String
    public var description: String { "malformed JSON at byte \(offset): expected \(expected)" }
}
