/// The small grammar pieces of an HTTP/1.x response head (RFC 9110, RFC 9112), on bytes.
enum HTTPResponseSyntax {
    typealias Failure = HTTPResponseParser.Failure

    /// The head's lines, split at CRLF (the head's final CRLFCRLF already removed).
    static func splitLines(_ head: ArraySlice<UInt8>) -> [ArraySlice<UInt8>] {
        var lines: [ArraySlice<UInt8>] = []
        var start = head.startIndex, index = head.startIndex
        while index < head.endIndex {
            if head[index] == 13, index + 1 < head.endIndex, head[index + 1] == 10 {
                lines.append(head[start..<index])
                index += 2
                start = index
            } else {
                index += 1
            }
        }
        lines.append(head[start..<head.endIndex])
        return lines
    }

    /// `HTTP/1.1 200 reason`: the version (1.0 or 1.1 only) and a three-digit status 100–599.
    static func statusLine(_ line: ArraySlice<UInt8>) throws(Failure) -> (version: String, status: Int) {
        let bytes = Array(line)
        guard bytes.count >= 12, bytes[8] == 0x20, bytes.count == 12 || bytes[12] == 0x20 else {
            throw .malformed("not an HTTP/1.x status line")
        }
        let version = String(decoding: bytes[0..<8], as: UTF8.self)
        guard version == "HTTP/1.1" || version == "HTTP/1.0" else { throw .malformed("not an HTTP/1.x status line") }
        var status = 0
        for byte in bytes[9..<12] {
            guard (0x30...0x39).contains(byte) else { throw .malformed("not an HTTP/1.x status line") }
            status = status * 10 + Int(byte - 0x30)
        }
        guard (100...599).contains(status) else { throw .malformed("status \(status) is outside 100-599") }
        guard !bytes.contains(where: { ($0 < 0x20 && $0 != 0x09) || $0 == 0x7f }) else {
            throw .malformed("the status line contains control characters")
        }
        return (version, status)
    }

    /// `name: value` with a token name and a value free of CR, LF and NUL; optional whitespace
    /// around the value is dropped. Obsolete line folding (a line starting with whitespace) is refused.
    static func field(_ line: ArraySlice<UInt8>) throws(Failure) -> HTTPResponseParser.Field {
        guard let colon = line.firstIndex(of: UInt8(ascii: ":")), colon > line.startIndex else {
            throw .malformed("a header line has no name")
        }
        let name = line[line.startIndex..<colon]
        guard name.allSatisfy(isTokenByte) else { throw .malformed("a header name is not a token") }
        var value = line[(colon + 1)...]
        while let first = value.first, first == 0x20 || first == 0x09 { value = value.dropFirst() }
        while let last = value.last, last == 0x20 || last == 0x09 { value = value.dropLast() }
        guard !value.contains(where: { $0 == 0 || $0 == 10 || $0 == 13 }) else {
            throw .malformed("a header value contains CR, LF or NUL")
        }
        return .init(name: String(decoding: name, as: UTF8.self), value: String(decoding: value, as: UTF8.self))
    }

    /// HTTP/1.1 keeps the connection unless `Connection: close`; HTTP/1.0 only with `keep-alive`.
    static func keepsAlive(version: String, fields: [HTTPResponseParser.Field]) -> Bool {
        var close = false, keepAlive = false
        for field in fields where lowercased(field.name) == "connection" {
            for token in field.value.split(separator: ",") {
                switch lowercased(String(token)).trimmingBlanks() {
                case "close": close = true
                case "keep-alive": keepAlive = true
                default: break
                }
            }
        }
        return version == "HTTP/1.1" ? !close : keepAlive && !close
    }

    /// Content-Length: 1 or more ASCII digits, at most `limit`.
    static func contentLength(_ text: String, limit: Int) throws(Failure) -> Int {
        guard !text.isEmpty, text.utf8.allSatisfy({ (0x30...0x39).contains($0) }) else {
            throw .malformed("invalid Content-Length '\(printable(Array(text.utf8).prefix(20)))'")
        }
        var value = 0
        for digit in text.utf8 {
            value = value * 10 + Int(digit - 0x30)
            guard value <= limit else { throw .tooLarge("the answer's body of \(text.prefix(20)) bytes exceeds \(limit)") }
        }
        return value
    }

    /// Whether a Content-Encoding value means no coding: empty or only `identity` tokens.
    static func isIdentityCoding(_ value: String) -> Bool {
        value.split(separator: ",").allSatisfy { lowercased(String($0)).trimmingBlanks() == "identity" }
    }

    static func hexValue(_ byte: UInt8) -> Int? {
        switch byte {
        case 0x30...0x39: Int(byte - 0x30)
        case 0x61...0x66: Int(byte - 0x61 + 10)
        case 0x41...0x46: Int(byte - 0x41 + 10)
        default: nil
        }
    }

    /// ASCII lower case (header names and tokens are ASCII; other bytes are left alone).
    static func lowercased(_ text: String) -> String {
        String(decoding: text.utf8.map { (0x41...0x5a).contains($0) ? $0 + 0x20 : $0 }, as: UTF8.self)
    }

    /// Bytes for an error message: printable ASCII kept, the rest as `?`.
    static func printable(_ bytes: ArraySlice<UInt8>) -> String {
        String(decoding: bytes.map { (0x20..<0x7f).contains($0) ? $0 : UInt8(ascii: "?") }, as: UTF8.self)
    }

    /// RFC 9110 §5.6.2 tchar.
    static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case 0x30...0x39, 0x41...0x5a, 0x61...0x7a: true
        case UInt8(ascii: "!"), UInt8(ascii: "#"), UInt8(ascii: "$"), UInt8(ascii: "%"), UInt8(ascii: "&"),
             UInt8(ascii: "'"), UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."),
             UInt8(ascii: "^"), UInt8(ascii: "_"), UInt8(ascii: "`"), UInt8(ascii: "|"), UInt8(ascii: "~"): true
        default: false
        }
    }
}

extension StringProtocol {
    /// Without leading and trailing spaces and tabs.
    func trimmingBlanks() -> String {
        var text = Substring(self)
        while let first = text.first, first == " " || first == "\t" { text = text.dropFirst() }
        while let last = text.last, last == " " || last == "\t" { text = text.dropLast() }
        return String(text)
    }
}
