import ExactJSON
import Foundation

/// Reads the members of a purchase event body, recording a problem (`path: sentence`) for each
/// value that breaks a rule.
struct FieldReader {
    let rules: PurchaseEventRules
    private(set) var problems: [String] = []

    init(rules: PurchaseEventRules) { self.rules = rules }

    mutating func problem(_ path: String, _ sentence: String) { problems.append("\(path): \(sentence)") }

    /// A present, non-empty string of at most `rules.maximumTextLength` characters.
    mutating func requiredText(_ value: ExactJSON?, _ path: String) -> String? {
        guard let value, !value.isNull else {
            problem(path, "is required.")
            return nil
        }
        return text(value, path)
    }

    /// `.some(nil)` when absent or null, `nil` when refused.
    mutating func optionalText(_ value: ExactJSON?, _ path: String) -> String?? {
        guard let value, !value.isNull else { return .some(nil) }
        return text(value, path).map { .some($0) } ?? nil
    }

    private mutating func text(_ value: ExactJSON, _ path: String) -> String? {
        guard let text = value.stringValue else {
            problem(path, "must be a string.")
            return nil
        }
        guard !text.trimmingCharacters(in: .whitespaces).isEmpty else {
            problem(path, "must not be empty.")
            return nil
        }
        // Code points, as JSON Schema's maxLength and PostgreSQL's length() count them.
        guard text.unicodeScalars.count <= rules.maximumTextLength else {
            problem(path, "is longer than \(rules.maximumTextLength) characters.")
            return nil
        }
        return text
    }

    /// `.some(nil)` when absent or null, `nil` when refused.
    mutating func guid(_ value: ExactJSON?, _ path: String) -> UUID?? {
        guard let value, !value.isNull else { return .some(nil) }
        guard let text = value.stringValue else {
            problem(path, "must be a GUID string such as 0b7e1a52-54c2-4c1e-9e39-3f4a1c2d5e6f.")
            return nil
        }
        guard let id = UUID(uuidString: text) else {
            problem(path, "\(RequestRefusal.quoted(text)) is not a GUID.")
            return nil
        }
        return .some(id)
    }

    /// An identifier object with exactly one of `id` and `code`; `.some(nil)` when absent or null.
    mutating func reference(_ value: ExactJSON?, _ path: String) -> PurchaseEventRequest.Reference?? {
        guard let value, !value.isNull else { return .some(nil) }
        guard let object = value.objectValue else {
            problem(path, "must be an object with id or code.")
            return nil
        }
        for key in object.keys where key != "id" && key != "code" {
            problem("\(path).\(key)", "unknown field (allowed: id, code).")
        }
        let id = object["id"].flatMap { $0.isNull ? nil : $0 }, code = object["code"].flatMap { $0.isNull ? nil : $0 }
        switch (id, code) {
        case (.some, .some): problem(path, "specify exactly one of id and code; both were given.")
        case (nil, nil): problem(path, "specify exactly one of id and code; neither was given.")
        case (let id?, nil): return (guid(id, "\(path).id") ?? nil).map { .some(.id($0)) } ?? nil
        case (nil, let code?): return requiredText(code, "\(path).code").map { .some(.code($0)) } ?? nil
        }
        return nil
    }

    mutating func requiredAmount(_ value: ExactJSON?, _ path: String) -> Decimal? {
        guard let value, !value.isNull else {
            problem(path, "is required.")
            return nil
        }
        return amount(value, path, positive: false)
    }

    /// A JSON number, not negative (greater than zero when `positive`), within the digit limits.
    mutating func amount(_ value: ExactJSON, _ path: String, positive: Bool) -> Decimal? {
        guard let number = value.numberValue else {
            problem(path, "must be a number, such as 14.15 (not a string).")
            return nil
        }
        guard !number.isNegative, !positive || number.decimal.map({ $0 > 0 }) ?? true else {
            problem(path, positive ? "must be greater than zero." : "must not be negative.")
            return nil
        }
        guard number.fractionDigits <= rules.maximumFractionDigits else {
            problem(path, "\(number.literal) has more than \(rules.maximumFractionDigits) decimals.")
            return nil
        }
        guard number.integerDigits <= rules.maximumIntegerDigits, let decimal = number.decimal else {
            problem(path, "\(number.literal) has more than \(rules.maximumIntegerDigits) digits before the decimal point.")
            return nil
        }
        return decimal
    }
}
