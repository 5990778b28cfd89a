/// Parsing one-dimensional PostgreSQL array literals (`{"a","b c",NULL}`) as the server prints them.
extension PostgresTextFormat {
    /// A text array literal, as sent for `.textArray` (see `appendChecked(_:to:quotedForArray:)`).
    static func arrayLiteral(_ elements: [String?]) throws -> String {
        var out: [UInt8] = []
        try appendArray(elements, to: &out) { text, out in try appendChecked(text, to: &out, quotedForArray: true) }
        return String(decoding: out, as: UTF8.self)
    }

    /// Parses the server's output for a one-dimensional array with default bounds; nil when the
    /// text is not such an array (multi-dimensional arrays and explicit bounds are refused).
    static func parseArrayLiteral(_ text: String) -> [String?]? {
        let bytes = Array(text.utf8)
        guard bytes.first == UInt8(ascii: "{"), bytes.last == UInt8(ascii: "}") else { return nil }
        var elements: [String?] = []
        var index = 1
        let end = bytes.count - 1
        if index == end { return [] }
        while true {
            var element: [UInt8] = []
            var quoted = false
            if bytes[index] == UInt8(ascii: "\"") {
                quoted = true
                index += 1
                while true {
                    guard index < end else { return nil }
                    let byte = bytes[index]
                    if byte == UInt8(ascii: "\"") { index += 1; break }
                    if byte == UInt8(ascii: "\\") {
                        index += 1
                        guard index < end else { return nil }
                    }
                    element.append(bytes[index])
                    index += 1
                }
            } else {
                while index < end, bytes[index] != UInt8(ascii: ","), bytes[index] != UInt8(ascii: "}") {
                    if bytes[index] == UInt8(ascii: "{") { return nil }
                    if bytes[index] == UInt8(ascii: "\\") {
                        index += 1
                        guard index < end else { return nil }
                    }
                    element.append(bytes[index])
                    index += 1
                }
            }
            let value = String(decoding: element, as: UTF8.self)
            if !quoted, value.uppercased() == "NULL" {
                elements.append(nil)
            } else {
                guard quoted || !value.isEmpty else { return nil }
                elements.append(value)
            }
            if index == end { return elements }
            guard bytes[index] == UInt8(ascii: ",") else { return nil }
            index += 1
        }
    }
}
