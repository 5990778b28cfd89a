import Foundation

extension Response {
    /// Encodes `value` as the body with `Content-Type: application/json`. Keys are sorted so that
    /// the same value always gives the same bytes.
    public static func json<Value: Encodable>(_ value: Value, status: Int = 200,
                                              encoder: JSONEncoder? = nil) throws -> Response {
        let encoder = encoder ?? JSONBody.makeEncoder()
        let data = try encoder.encode(value)
        return Response(status: status, headers: ["Content-Type": "application/json"], body: Array(data))
    }
}

extension Request {
    /// Decodes the body as JSON after checking, in this order: a body is present, it is UTF-8,
    /// and arrays/objects nest at most `maxDepth` deep (checked before any decoder runs, since
    /// Foundation's decoders recurse without a limit). Every failure is a 400 with a clear message.
    public func decodeJSON<Value: Decodable>(_ type: Value.Type, maxDepth: Int = 32,
                                             decoder: JSONDecoder? = nil) throws(HTTPError) -> Value {
        try JSONBody.validate(body, maxDepth: maxDepth)
        do {
            return try (decoder ?? JSONDecoder()).decode(type, from: Data(body))
        } catch let error as DecodingError {
            throw .badRequest(JSONBody.describe(error), code: "INVALID_JSON")
        } catch {
            throw .badRequest("Request body is not valid JSON", code: "INVALID_JSON")
        }
    }
}

/// Checks JSON request bodies before decoding.
public enum JSONBody {
    public static func makeEncoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    /// Throws a 400 for an empty body, non-UTF-8 bytes, or nesting deeper than `maxDepth`.
    public static func validate(_ body: [UInt8], maxDepth: Int) throws(HTTPError) {
        guard !body.isEmpty else {
            throw .badRequest("Request body is empty; a JSON document is required", code: "INVALID_JSON")
        }
        guard String(validating: body, as: UTF8.self) != nil else {
            throw .badRequest("Request body is not valid UTF-8", code: "INVALID_JSON")
        }
        guard let depth = nestingDepth(body, stopAbove: maxDepth), depth <= maxDepth else {
            throw .badRequest("JSON nesting deeper than \(maxDepth) levels", code: "INVALID_JSON")
        }
    }

    /// The deepest array/object nesting outside strings, or nil as soon as it exceeds `stopAbove`.
    static func nestingDepth(_ bytes: [UInt8], stopAbove: Int) -> Int? {
        var depth = 0, deepest = 0
        var inString = false, escaped = false
        for byte in bytes {
            if inString {
                if escaped {
                    escaped = false
                } else if byte == UInt8(ascii: "\\") {
                    escaped = true
                } else if byte == UInt8(ascii: "\"") {
                    inString = false
                }
                continue
            }
            switch byte {
            case UInt8(ascii: "\""):
                inString = true
            case UInt8(ascii: "["), UInt8(ascii: "{"):
                depth += 1
                if depth > stopAbove { return nil }
                deepest = max(deepest, depth)
            case UInt8(ascii: "]"), UInt8(ascii: "}"):
                depth -= 1
            default:
                break
            }
        }
        return deepest
    }

    static func describe(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context) -> String {
            let keys = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }
            return keys.isEmpty ? "the document" : "'" + keys.joined(separator: ".") + "'"
        }
        switch error {
        case .typeMismatch(let type, let context):
            return "Wrong type at \(path(context)): expected \(type)"
        case .valueNotFound(_, let context):
            return "Missing value at \(path(context))"
        case .keyNotFound(let key, let context):
            let parent = context.codingPath.isEmpty ? "" : " in \(path(context))"
            return "Missing field '\(key.stringValue)'\(parent)"
        case .dataCorrupted(let context):
            return context.codingPath.isEmpty ? "Request body is not valid JSON" : "Invalid value at \(path(context))"
        @unknown default:
            return "Request body does not match the expected JSON"
        }
    }
}
