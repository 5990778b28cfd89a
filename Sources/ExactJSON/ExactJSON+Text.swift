import Foundation
import Observability

extension ExactJSON {
    /// Compact JSON text: members in their order, numbers as their literals.
    public var text: String {
        var out = ""
        append(to: &out, canonical: false)
        return out
    }

    /// Compact JSON text that does not depend on how the client spelt the same value: object
    /// keys sorted (by UTF-8 bytes), numbers written in their shortest exact form (`14.150` and
    /// `1.415e1` both as `14.15`). Two documents that mean the same have the same canonical text.
    public var canonicalText: String {
        var out = ""
        append(to: &out, canonical: true)
        return out
    }

    private func append(to out: inout String, canonical: Bool) {
        switch self {
        case .null: out += "null"
        case .bool(let value): out += value ? "true" : "false"
        case .number(let number): out += canonical ? number.canonicalLiteral : number.literal
        case .string(let text): JSONText.appendString(text, to: &out)
        case .array(let elements):
            out += "["
            for (offset, element) in elements.enumerated() {
                if offset > 0 { out += "," }
                element.append(to: &out, canonical: canonical)
            }
            out += "]"
        case .object(let object):
            out += "{"
            let members = canonical ? object.members.sorted { Array($0.key.utf8).lexicographicallyPrecedes(Array($1.key.utf8)) } : object.members
            for (offset, member) in members.enumerated() {
                if offset > 0 { out += "," }
                JSONText.appendString(member.key, to: &out)
                out += ":"
                member.value.append(to: &out, canonical: canonical)
            }
            out += "}"
        }
    }
}

extension JSONNumber {
    /// The value written without exponent and without superfluous zeros (`-0` → `0`), or the
    /// literal itself when it does not fit `Decimal`.
    public var canonicalLiteral: String {
        guard let value = decimal else { return literal }
        return value.isZero ? "0" : value.description
    }
}
