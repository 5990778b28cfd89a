import Foundation

/// Base64 helpers: the URL-safe alphabet without padding (RFC 4648 §5) for tokens, and the
/// standard alphabet without padding for PHC strings. Decoding is strict: a character outside
/// the alphabet, padding, or non-zero unused trailing bits give `nil`, so each byte string has
/// exactly one accepted text form (a token cannot be altered without changing its bytes).
enum Base64Text {
    static func encodeURL(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func decodeURL(_ text: String) -> [UInt8]? {
        guard text.utf8.allSatisfy({ isURLAlphabet($0) }) else { return nil }
        let standard = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        guard let bytes = decodeUnpadded(standard), encodeURL(bytes) == text else { return nil }
        return bytes
    }

    static func encodeUnpadded(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString().replacingOccurrences(of: "=", with: "")
    }

    static func decodeUnpadded(_ text: String) -> [UInt8]? {
        guard !text.contains("=") else { return nil }
        let remainder = text.utf8.count % 4
        guard remainder != 1 else { return nil }
        let padded = text + String(repeating: "=", count: remainder == 0 ? 0 : 4 - remainder)
        guard let bytes = Data(base64Encoded: padded).map({ [UInt8]($0) }),
              encodeUnpadded(bytes) == text else { return nil }
        return bytes
    }

    /// Standard padded base64 as people paste it (environment variables); surrounding
    /// whitespace is ignored.
    static func decodeStandard(_ text: String) -> [UInt8]? {
        Data(base64Encoded: text.trimmingCharacters(in: .whitespacesAndNewlines)).map { [UInt8]($0) }
    }

    private static func isURLAlphabet(_ c: UInt8) -> Bool {
        switch c {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"):
            return true
        default:
            return false
        }
    }
}
