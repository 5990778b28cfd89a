import Domain
import Foundation
import HTTPServer
import JSON
import Trading

/// The JSON object of a request body: checked (UTF-8, nesting) and decoded here, in the API
/// layer, so the domain types read documents and never bytes.
enum RequestDocument {
    /// - Throws: `onFailure(message)` when the body is not a JSON object.
    static func object(_ body: [UInt8], notAnObject: String, onFailure: (String) -> DomainError) throws -> [String: JSONValue] {
        do {
            try JSONBody.validate(body, maxDepth: 8)
        } catch {
            throw onFailure(error.message)
        }
        guard let value = try? JSONDecoder().decode(JSONValue.self, from: Data(body)) else {
            throw onFailure("Request body is not valid JSON")
        }
        guard case .object(let object) = value else { throw onFailure(notAnObject) }
        return object
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
