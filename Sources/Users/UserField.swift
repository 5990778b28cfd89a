import ExactJSON
import Foundation

/// A profile field, named as in seed 002 (and as the `users` column).
public enum UserField: String, Sendable, CaseIterable, Hashable {
    case image, name, lastname
    case businessName = "business_name"
    case quota, status, phone, email, nit, address, score
    case paymentData = "payment_data"
    case apnToken = "apn_token"
    case ecosystem
    case businessEntity = "business_entity"
    case additionalData = "additional_data"

    public enum Kind: Sendable { case text, decimal, object }

    public var kind: Kind {
        switch self {
        case .quota, .score: .decimal
        case .paymentData, .additionalData: .object
        default: .text
        }
    }

    /// The longest text accepted (characters).
    var maximumLength: Int {
        switch self {
        case .image, .address, .apnToken: 2048
        case .status: 50
        case .email: 254
        default: 500
        }
    }

    /// The column name in `users`.
    public var column: String { rawValue }
}

/// A value for one profile field; nil clears a text or number field.
public enum UserFieldValue: Sendable, Equatable {
    case text(String?)
    case decimal(Decimal?)
    case object(JSONObject)

    /// The value as JSON, for the store's statements.
    var json: ExactJSON {
        switch self {
        case .text(let text): text.map { .string($0) } ?? .null
        case .decimal(let value): value.map { .number(JSONNumber($0)) } ?? .null
        case .object(let object): .object(object)
        }
    }
}

extension UserField {
    /// Checks a JSON value for this field (a JSON lines import, or code).
    /// - Returns: the value, or why it is refused.
    public func value(from json: ExactJSON) -> Result<UserFieldValue, UserFieldProblem> {
        switch (kind, json) {
        case (.object, .null): return .success(.object(JSONObject([])))
        case (.object, .object(let object)): return .success(.object(object))
        case (.object, _): return .failure(.init(field: self, reason: "must be a JSON object"))
        case (.decimal, .null): return .success(.decimal(nil))
        case (.decimal, .number(let number)):
            guard let value = number.decimal else { return .failure(.init(field: self, reason: "is out of range")) }
            return .success(.decimal(value))
        case (.decimal, .string(let text)): return value(fromText: text)
        case (.decimal, _): return .failure(.init(field: self, reason: "must be a number"))
        case (.text, .null): return value(fromText: nil)
        case (.text, .string(let text)): return value(fromText: text)
        case (.text, _): return .failure(.init(field: self, reason: "must be a string"))
        }
    }

    /// Checks a value given as text (a CSV cell; nil or empty clears the field).
    public func value(fromText raw: String?) -> Result<UserFieldValue, UserFieldProblem> {
        let text = raw?.trimmingCharacters(in: .whitespaces)
        let empty = text?.isEmpty ?? true
        switch kind {
        case .object:
            guard let text, !empty else { return .success(.object(JSONObject([]))) }
            guard let object = (try? ExactJSON.parse(text))?.objectValue else {
                return .failure(.init(field: self, reason: "must be a JSON object"))
            }
            return .success(.object(object))
        case .decimal:
            guard let text, !empty else { return .success(.decimal(nil)) }
            guard text.range(of: #"^-?[0-9]{1,30}(\.[0-9]{1,8})?$"#, options: .regularExpression) != nil,
                  let value = Decimal(string: text, locale: Locale(identifier: "en_US_POSIX"))
            else { return .failure(.init(field: self, reason: "must be a decimal number such as 1250.50")) }
            return .success(.decimal(value))
        case .text:
            guard let text, !empty else {
                if self == .status { return .failure(.init(field: self, reason: "cannot be empty")) }
                return .success(.text(nil))
            }
            // Code points, as PostgreSQL's length() counts them.
            guard text.unicodeScalars.count <= maximumLength else {
                return .failure(.init(field: self, reason: "is longer than \(maximumLength) characters"))
            }
            guard !text.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else {
                return .failure(.init(field: self, reason: "contains control characters"))
            }
            if self == .email, !Self.looksLikeEmail(text) {
                return .failure(.init(field: self, reason: "is not an email address"))
            }
            return .success(.text(text))
        }
    }

    /// One `@` with something on both sides, a dot in the domain, no spaces: catches swapped
    /// columns without pretending to validate RFC 5322.
    private static func looksLikeEmail(_ text: String) -> Bool {
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        return parts.count == 2 && !parts[0].isEmpty && parts[1].contains(".") && !parts[1].hasPrefix(".")
            && !parts[1].hasSuffix(".") && !text.contains(" ")
    }
}

/// Why a field value is refused.
public struct UserFieldProblem: Error, Sendable, Equatable, CustomStringConvertible {
    public let field: UserField
    public let reason: String
    public var description: String { "\(field.rawValue) \(reason)" }
}
