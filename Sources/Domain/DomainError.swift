import JSON

/// A failure of a domain operation, as the domain sees it: what kind of failure it is, a stable
/// machine code, a message for people and optional details (every violated rule, the upstream
/// code...). It knows nothing of HTTP: the API layer maps each kind to a status in one place
/// (`DomainError+HTTP.swift` in `API`), and each family's envelope shapes the body.
public struct DomainError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable, Equatable {
        /// The request breaks a rule (400).
        case invalid
        /// The caller is not known (401).
        case unauthenticated
        /// The caller is known but may not do this (403).
        case forbidden
        /// The thing does not exist for this caller (404); another organisation's looks the same.
        case notFound
        /// The request conflicts with the current state (409).
        case conflict
        /// A partner the operation depends on failed or could not be reached (502).
        case upstreamFailed
        /// A service of our own (the broker, the database) failed (503).
        case unavailable
    }

    public var kind: Kind
    public var code: String
    public var message: String
    public var details: [String: JSONValue]

    public init(_ kind: Kind, code: String, message: String, details: [String: JSONValue] = [:]) {
        self.kind = kind
        self.code = code
        self.message = message
        self.details = details
    }

    public var description: String { "DomainError(\(kind), \(code): \(message))" }

    /// A request that breaks one rule: 400 `BAD_REQUEST` unless a code is given.
    public static func invalid(_ message: String, code: String = "BAD_REQUEST", details: [String: JSONValue] = [:]) -> DomainError {
        DomainError(.invalid, code: code, message: message, details: details)
    }

    /// The same rule broken by one named field (`details.field`).
    public static func invalid(_ message: String, field: String, code: String = "BAD_REQUEST") -> DomainError {
        DomainError(.invalid, code: code, message: message, details: ["field": .string(field)])
    }

    public static let unauthenticated = DomainError(.unauthenticated, code: "UNAUTHORIZED", message: "Unauthorized")
    public static let forbidden = DomainError(.forbidden, code: "FORBIDDEN", message: "Forbidden")
}

/// One broken rule of a request; `index` is the position of the list item it is about.
public struct Violation: Sendable, Equatable {
    public var field: String
    public var message: String
    public var index: Int?

    public init(field: String, message: String, index: Int? = nil) {
        self.field = field
        self.message = message
        self.index = index
    }

    public var json: JSONValue {
        var object: [String: JSONValue] = ["field": .string(field), "message": .string(message)]
        if let index { object["index"] = .number(Double(index)) }
        return .object(object)
    }
}

extension DomainError {
    /// 400 `code` listing every violation in `details.violations`; the message names the first
    /// (with its block index) and how many more there are.
    public static func validation(_ violations: [Violation], code: String = "VALIDATION_ERROR") -> DomainError {
        let first = violations.first.map { v in v.index.map { "\(v.message) (block \($0))" } ?? v.message } ?? "Validation error"
        let message = violations.count > 1 ? "Validation error: \(first) (and \(violations.count - 1) more)" : "Validation error: \(first)"
        return DomainError(.invalid, code: code, message: message, details: ["violations": .array(violations.map(\.json))])
    }
}
