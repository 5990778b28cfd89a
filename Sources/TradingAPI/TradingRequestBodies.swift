import Domain
import ExactJSON
import Foundation
import HTTPServer
import JSON
import Trading

/// The JSON object of a request body: checked (UTF-8, nesting, strict RFC 8259 with duplicate
/// keys refused) and decoded here, in the API layer, so the domain types read documents and
/// never bytes.
enum RequestDocument {
    /// - Throws: `onFailure(message)` when the body is not a JSON object; a repeated key is named.
    static func object(_ body: [UInt8], notAnObject: String, onFailure: (String) -> DomainError) throws -> [String: JSONValue] {
        do {
            try JSONBody.validate(body, maxDepth: 8)
        } catch {
            throw onFailure(error.message)
        }
        let document: ExactJSON
        do {
            document = try ExactJSON.parse(body, maximumDepth: 8)
        } catch {
            switch error.reason {
            case .duplicateKey(let key):
                throw onFailure("Duplicate key '\(key.prefix(64))' in the JSON body: each key may appear once per object")
            case .nulInString:
                throw onFailure("Request body refused: \(error) (U+0000 cannot be stored)")
            default:
                throw onFailure("Request body is not valid JSON: \(error)")
            }
        }
        guard case .object(let object) = value(document) else { throw onFailure(notAnObject) }
        return object
    }

    /// The document as a `JSONValue` (numbers as `Double`, as the trading rules read them).
    static func value(_ document: ExactJSON) -> JSONValue {
        switch document {
        case .null: .null
        case .bool(let flag): .bool(flag)
        case .number(let number): .number(Double(number.literal) ?? .nan)
        case .string(let text): .string(text)
        case .array(let elements): .array(elements.map(value))
        case .object(let object): .object(Dictionary(object.members.map { ($0.key, value($0.value)) }, uniquingKeysWith: { first, _ in first }))
        }
    }
}

extension TradingConfigUpdate {
    /// A `POST …/config` body; one that is not a JSON object is a 400 `VALIDATION_ERROR` too.
    init(body: [UInt8]) throws {
        let object = try RequestDocument.object(body, notAnObject: "The body must be a JSON object") { message in
            DomainError.validation([Violation(field: "body", message: message)])
        }
        self.init(document: object)
    }
}

extension PlantConfigRequest {
    /// A `POST …/plants/{plantId}/config` body; 400 `BAD_REQUEST` when it is not a JSON object.
    init(body: [UInt8], forceValidateOnly: Bool) throws {
        let object = try RequestDocument.object(body, notAnObject: "The body must be a JSON object with timeConfigs") { message in
            DomainError.invalid(message)
        }
        self.init(document: object, rawSnapshot: String(decoding: body, as: UTF8.self), forceValidateOnly: forceValidateOnly)
    }
}
