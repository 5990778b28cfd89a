/// Why a document is not JSON, and where (a byte offset into the document).
public struct JSONSyntaxError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Reason: Sendable, Equatable {
        case empty
        case unexpectedEnd
        case unexpectedCharacter(String)
        case invalidNumber
        case invalidEscape
        case invalidUnicode
        case controlCharacterInString
        case nulInString
        case duplicateKey(String)
        case tooDeep(Int)
        case trailingContent
    }

    public let reason: Reason
    public let offset: Int

    public init(reason: Reason, offset: Int) {
        self.reason = reason
        self.offset = offset
    }

    public var description: String {
        let what = switch reason {
        case .empty: "the document is empty"
        case .unexpectedEnd: "the document ends too early"
        case .unexpectedCharacter(let character): "unexpected character \(character)"
        case .invalidNumber: "invalid number"
        case .invalidEscape: "invalid escape sequence in a string"
        case .invalidUnicode: "invalid UTF-8 or \\u escape"
        case .controlCharacterInString: "unescaped control character in a string"
        case .nulInString: "a string holds U+0000"
        case .duplicateKey(let key): "duplicate key \"\(key)\""
        case .tooDeep(let depth): "nested deeper than \(depth) levels"
        case .trailingContent: "content after the JSON value"
        }
        return "\(what) at byte \(offset)"
    }
}
