import ExactJSON
import Foundation

/// Reads the sections of a reference-data document, recording a problem per broken rule.
struct ReferenceDataReader {
    private(set) var problems: [String] = []
    private var fields = FieldReader(rules: PurchaseEventRules())

    mutating func problem(_ path: String, _ sentence: String) { problems.append("\(path): \(sentence)") }

    /// The elements of an optional array section, with their paths.
    mutating func elements(_ value: ExactJSON?, _ path: String) -> [(ExactJSON, String)] {
        guard let value, !value.isNull else { return [] }
        guard let elements = value.arrayValue else {
            problem(path, "must be an array.")
            return []
        }
        return elements.enumerated().map { ($0.element, "\(path)[\($0.offset)]") }
    }

    mutating func codedList(_ value: ExactJSON?, _ path: String, codeKey: String, hasParent: Bool) -> [ReferenceData.Coded] {
        var seen: [String: String] = [:]
        let allowed = ["id", codeKey, "name"] + (hasParent ? ["parent"] : [])
        return elements(value, path).compactMap { element, path in
            guard let object = object(element, path, allowed: allowed) else { return nil }
            let id = take(fields.guid(object["id"], "\(path).id")) ?? nil
            let code = take(fields.requiredText(object[codeKey], "\(path).\(codeKey)"))
            let name = take(fields.optionalText(object["name"], "\(path).name")) ?? nil
            let parent = hasParent ? take(fields.optionalText(object["parent"], "\(path).parent")) ?? nil : nil
            guard let code else { return nil }
            if let first = seen[code] {
                problem("\(path).\(codeKey)", "\(RequestRefusal.quoted(code)) appears already at \(first).")
                return nil
            }
            seen[code] = path
            if parent == code { problem("\(path).parent", "a business unit cannot be its own parent.") }
            return .init(id: id, code: code, name: name, parentCode: parent)
        }
    }

    mutating func contact(_ element: ExactJSON, _ path: String) -> ReferenceData.Contact? {
        guard let object = object(element, path, allowed: ["id", "code", "name", "accounts", "cims"]) else { return nil }
        let id = take(fields.guid(object["id"], "\(path).id")) ?? nil
        let code = take(fields.optionalText(object["code"], "\(path).code")) ?? nil
        let name = take(fields.optionalText(object["name"], "\(path).name")) ?? nil
        if id == nil, code == nil, object["id"]?.isNull ?? true {
            problem(path, "give the contact an id or a code, so that importing it again updates it.")
        }
        let accounts = elements(object["accounts"], "\(path).accounts").compactMap { element, path -> ReferenceData.Account? in
            guard let account = self.object(element, path, allowed: ["number", "primary"]) else { return nil }
            let number = take(fields.requiredText(account["number"], "\(path).number"))
            var primary = false
            switch account["primary"] {
            case nil, .null?: break
            case .bool(let flag)?: primary = flag
            case .some: problem("\(path).primary", "must be true or false.")
            }
            return number.map { .init(number: $0, isPrimary: primary) }
        }
        if accounts.filter(\.isPrimary).count > 1 { problem("\(path).accounts", "at most one account may be primary.") }
        let cims = elements(object["cims"], "\(path).cims").compactMap { element, path in take(fields.requiredText(element, path)) }
        return .init(id: id, code: code, name: name, accounts: accounts, cims: cims)
    }

    /// Parents must be business units of the file or already stored ones (checked by the store),
    /// and the file's parent links must not form a cycle.
    mutating func checkBusinessUnitParents(_ units: [ReferenceData.Coded]) {
        let parentByCode = Dictionary(units.map { ($0.code, $0.parentCode) }, uniquingKeysWith: { first, _ in first })
        for (index, unit) in units.enumerated() {
            var seen: Set<String> = [unit.code]
            var next = unit.parentCode
            while let code = next, let parent = parentByCode[code] {
                guard seen.insert(code).inserted else {
                    problem("business_units[\(index)].parent", "the parent links of \(RequestRefusal.quoted(unit.code)) form a cycle.")
                    break
                }
                next = parent
            }
        }
    }

    private mutating func object(_ element: ExactJSON, _ path: String, allowed: [String]) -> JSONObject? {
        guard let object = element.objectValue else {
            problem(path, "must be an object with \(allowed.joined(separator: ", ")).")
            return nil
        }
        for key in object.keys where !allowed.contains(key) {
            problem("\(path).\(key)", "unknown field (allowed: \(allowed.joined(separator: ", "))).")
        }
        return object
    }

    /// Moves the field reader's problems into this reader's, and passes the value through.
    private mutating func take<T>(_ value: T) -> T {
        problems += fields.problems
        fields = FieldReader(rules: PurchaseEventRules())
        return value
    }
}
