import Foundation
import JSON

/// Checks a JSON value against a schema of the OpenAPI document, with the JSON Schema keywords the
/// document uses. A keyword it does not know that would constrain the value is itself reported, so
/// a schema it cannot judge never passes silently.
struct SchemaCheck {
    let document: JSONValue

    /// Keywords that only annotate.
    static let annotations: Set<String> = ["description", "example", "examples", "title", "default", "format",
                                           "readOnly", "writeOnly", "deprecated", "$comment", "discriminator"]

    /// The violations of `value` against `schema`, empty when it conforms; each names where.
    func violations(of value: JSONValue, against schema: JSONValue, at path: String = "$") -> [String] {
        if schema == .bool(true) { return [] }
        if schema == .bool(false) { return ["\(path): no value is allowed here"] }
        guard let keywords = schema.objectValue else { return ["\(path): the schema is not an object"] }
        var found: [String] = []
        for (keyword, argument) in keywords.sorted(by: { $0.key < $1.key }) {
            found += check(keyword, argument, keywords, value, path)
        }
        return found
    }

    /// The schema a local `$ref` (`#/components/schemas/X`) names.
    func resolve(_ reference: String) -> JSONValue? {
        guard reference.hasPrefix("#/") else { return nil }
        var node = document
        for part in reference.dropFirst(2).split(separator: "/") {
            let key = part.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
            guard let next = node.objectValue?[key] else { return nil }
            node = next
        }
        return node
    }

    private func check(_ keyword: String, _ argument: JSONValue, _ keywords: [String: JSONValue],
                       _ value: JSONValue, _ path: String) -> [String] {
        switch keyword {
        case "$ref":
            guard let reference = argument.stringValue, let target = resolve(reference) else {
                return ["\(path): unresolved $ref \(argument.jsonText)"]
            }
            return violations(of: value, against: target, at: path)
        case "type":
            let names: [String] = if case .array(let list) = argument { list.compactMap(\.stringValue) } else { [argument.stringValue ?? ""] }
            return names.contains { Self.hasType(value, $0) } ? [] : ["\(path): \(value.jsonText) is not of type \(names)"]
        case "const":
            return value == argument ? [] : ["\(path): \(value.jsonText) is not \(argument.jsonText)"]
        case "enum":
            guard case .array(let allowed) = argument else { return ["\(path): enum is not an array"] }
            return allowed.contains(value) ? [] : ["\(path): \(value.jsonText) is not one of \(argument.jsonText)"]
        case "required":
            guard let members = value.objectValue, case .array(let names) = argument else { return [] }
            return names.compactMap(\.stringValue).filter { members[$0] == nil }.map { "\(path): '\($0)' is missing" }
        case "properties":
            guard let members = value.objectValue, let properties = argument.objectValue else { return [] }
            return properties.sorted(by: { $0.key < $1.key }).flatMap { name, schema in
                members[name].map { violations(of: $0, against: schema, at: "\(path).\(name)") } ?? []
            }
        case "additionalProperties":
            guard let members = value.objectValue else { return [] }
            let declared = Set((keywords["properties"]?.objectValue ?? [:]).keys)
            return members.keys.sorted().filter { !declared.contains($0) }.flatMap { name in
                argument == .bool(false) ? ["\(path): '\(name)' is not allowed"]
                    : violations(of: members[name]!, against: argument, at: "\(path).\(name)")
            }
        case "propertyNames":
            guard let members = value.objectValue else { return [] }
            return members.keys.sorted().flatMap { violations(of: .string($0), against: argument, at: "\(path){\($0)}") }
        case "items":
            guard case .array(let elements) = value else { return [] }
            return elements.enumerated().flatMap { violations(of: $1, against: argument, at: "\(path)[\($0)]") }
        case "allOf", "anyOf", "oneOf":
            guard case .array(let schemas) = argument else { return ["\(path): \(keyword) is not an array"] }
            let results = schemas.map { violations(of: value, against: $0, at: path) }
            let passing = results.filter(\.isEmpty).count
            switch keyword {
            case "allOf": return results.flatMap { $0 }
            case "anyOf": return passing > 0 ? [] : ["\(path): matches none of anyOf: \(results.flatMap { $0 })"]
            default: return passing == 1 ? [] : ["\(path): matches \(passing) of oneOf, not 1: \(results.flatMap { $0 })"]
            }
        case "minimum", "maximum":
            guard case .number(let number) = value, case .number(let bound) = argument else { return [] }
            let holds = keyword == "minimum" ? number >= bound : number <= bound
            return holds ? [] : ["\(path): \(number) breaks \(keyword) \(bound)"]
        case "minLength", "maxLength":
            guard let text = value.stringValue, case .number(let bound) = argument else { return [] }
            let count = Double(text.unicodeScalars.count)
            let holds = keyword == "minLength" ? count >= bound : count <= bound
            return holds ? [] : ["\(path): length \(Int(count)) breaks \(keyword) \(Int(bound))"]
        case "pattern":
            guard let text = value.stringValue else { return [] }
            guard let pattern = argument.stringValue, let expression = try? NSRegularExpression(pattern: pattern) else {
                return ["\(path): unreadable pattern \(argument.jsonText)"]
            }
            let whole = NSRange(text.startIndex..., in: text)
            return expression.firstMatch(in: text, range: whole) == nil ? ["\(path): '\(text)' does not match \(pattern)"] : []
        default:
            return Self.annotations.contains(keyword) ? [] : ["\(path): the check does not know the keyword '\(keyword)'"]
        }
    }

    static func hasType(_ value: JSONValue, _ name: String) -> Bool {
        switch (name, value) {
        case ("null", .null), ("boolean", .bool), ("number", .number), ("string", .string), ("array", .array), ("object", .object):
            true
        case ("integer", .number(let number)):
            number == number.rounded()
        default:
            false
        }
    }
}
