/// Percent-decoding for paths and query strings (RFC 3986 §2.1).
enum PercentDecoding {
    /// Decodes `%XX` escapes (and `+` as a space when `plusAsSpace`). Nil when an escape is
    /// malformed, the result is not UTF-8, or it contains NUL, CR or LF.
    static func decode(_ text: Substring, plusAsSpace: Bool) -> String? {
        let utf8 = text.utf8
        // Fast path: nothing to decode.
        if !utf8.contains(HTTPSyntax.percent) && !(plusAsSpace && utf8.contains(UInt8(ascii: "+"))) {
            return utf8.contains(where: isForbidden) ? nil : String(text)
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(utf8.count)
        var index = utf8.startIndex
        while index != utf8.endIndex {
            let byte = utf8[index]
            if byte == HTTPSyntax.percent {
                let high = utf8.index(after: index)
                guard high != utf8.endIndex, let highValue = HTTPSyntax.hexValue(utf8[high]) else { return nil }
                let low = utf8.index(after: high)
                guard low != utf8.endIndex, let lowValue = HTTPSyntax.hexValue(utf8[low]) else { return nil }
                bytes.append(highValue << 4 | lowValue)
                index = utf8.index(after: low)
            } else {
                bytes.append(plusAsSpace && byte == UInt8(ascii: "+") ? HTTPSyntax.space : byte)
                index = utf8.index(after: index)
            }
        }
        guard !bytes.contains(where: isForbidden) else { return nil }
        return String(validating: bytes, as: UTF8.self)
    }

    private static func isForbidden(_ byte: UInt8) -> Bool {
        byte == 0 || byte == HTTPSyntax.cr || byte == HTTPSyntax.lf
    }
}
