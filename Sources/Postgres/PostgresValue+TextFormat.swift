import Foundation

/// Encoding parameters into PostgreSQL's text format, straight into a byte buffer: batch writes
/// send arrays of thousands of elements, so no intermediate String per value.
extension PostgresValue {
    /// Appends the value's text format to `out`; returns false (appending nothing) for NULL.
    func appendTextFormat(to out: inout [UInt8]) throws -> Bool {
        switch self {
        case .null: return false
        case .text(let text), .jsonb(let text): try PostgresTextFormat.appendChecked(text, to: &out)
        case .int(let value): out.append(contentsOf: String(value).utf8)
        case .double(let value): out.append(contentsOf: PostgresTextFormat.double(value).utf8)
        case .decimal(let value): out.append(contentsOf: PostgresTextFormat.decimal(value).utf8)
        case .uuid(let value): PostgresTextFormat.appendUUID(value, to: &out)
        case .timestamptz(let value): try PostgresTextFormat.appendTimestamp(value, to: &out)
        case .interval(let seconds): out.append(contentsOf: "\(seconds) seconds".utf8)
        case .bool(let value): out.append(contentsOf: (value ? "true" : "false").utf8)
        case .bytea(let bytes): PostgresTextFormat.appendByteaHex(bytes, to: &out)
        case .textArray(let values):
            try PostgresTextFormat.appendArray(values, to: &out) { text, out in
                try PostgresTextFormat.appendChecked(text, to: &out, quotedForArray: true)
            }
        case .intArray(let values):
            PostgresTextFormat.appendArray(values, to: &out) { value, out in out.append(contentsOf: String(value).utf8) }
        case .doubleArray(let values):
            PostgresTextFormat.appendArray(values, to: &out) { value, out in
                out.append(contentsOf: PostgresTextFormat.double(value).utf8)
            }
        case .decimalArray(let values):
            PostgresTextFormat.appendArray(values, to: &out) { value, out in
                out.append(contentsOf: PostgresTextFormat.decimal(value).utf8)
            }
        case .uuidArray(let values):
            PostgresTextFormat.appendArray(values, to: &out) { value, out in PostgresTextFormat.appendUUID(value, to: &out) }
        case .timestamptzArray(let values):
            try PostgresTextFormat.appendArray(values, to: &out) { value, out in
                try PostgresTextFormat.appendTimestamp(value, to: &out)
            }
        case .boolArray(let values):
            PostgresTextFormat.appendArray(values, to: &out) { value, out in out.append(contentsOf: (value ? "t" : "f").utf8) }
        case .binary:
            throw PostgresError(code: .invalidParameter, message: "a binary value has no text format")
        }
        return true
    }

    /// The text format as a String (nil for NULL); for tests and diagnostics.
    func textFormat() throws -> String? {
        var bytes: [UInt8] = []
        guard try appendTextFormat(to: &bytes) else { return nil }
        return String(decoding: bytes, as: UTF8.self)
    }
}

extension PostgresTextFormat {
    /// Appends text, refusing NUL (PostgreSQL text cannot hold it; libpq would cut it silently).
    /// Inside an array literal the element is double-quoted with `\` and `"` escaped, so commas,
    /// braces, whitespace, the word NULL and any Unicode survive.
    static func appendChecked(_ text: String, to out: inout [UInt8], quotedForArray: Bool = false) throws {
        if quotedForArray { out.append(UInt8(ascii: "\"")) }
        for byte in text.utf8 {
            switch byte {
            case 0:
                throw PostgresError(code: .invalidParameter, message: "text parameter contains a NUL character")
            case UInt8(ascii: "\\"), UInt8(ascii: "\""):
                if quotedForArray { out.append(UInt8(ascii: "\\")) }
                out.append(byte)
            default:
                out.append(byte)
            }
        }
        if quotedForArray { out.append(UInt8(ascii: "\"")) }
    }

    /// `{e1,e2,NULL}`; the element writer quotes where the element's text needs it.
    static func appendArray<T>(
        _ values: [T?], to out: inout [UInt8], element: (T, inout [UInt8]) throws -> Void
    ) rethrows {
        out.append(UInt8(ascii: "{"))
        for (index, value) in values.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            if let value {
                try element(value, &out)
            } else {
                out.append(contentsOf: "NULL".utf8)
            }
        }
        out.append(UInt8(ascii: "}"))
    }

    private static let lowerHex = Array("0123456789abcdef".utf8)

    /// Lowercase 8-4-4-4-12 form, as PostgreSQL prints it.
    static func appendUUID(_ uuid: UUID, to out: inout [UInt8]) {
        withUnsafeBytes(of: uuid.uuid) { bytes in
            for (index, byte) in bytes.enumerated() {
                if index == 4 || index == 6 || index == 8 || index == 10 { out.append(UInt8(ascii: "-")) }
                out.append(lowerHex[Int(byte >> 4)])
                out.append(lowerHex[Int(byte & 0x0F)])
            }
        }
    }

    static func appendByteaHex(_ bytes: [UInt8], to out: inout [UInt8]) {
        out.reserveCapacity(out.count + 2 + bytes.count * 2)
        out.append(UInt8(ascii: "\\"))
        out.append(UInt8(ascii: "x"))
        for byte in bytes {
            out.append(lowerHex[Int(byte >> 4)])
            out.append(lowerHex[Int(byte & 0x0F)])
        }
    }

    /// ISO 8601 in UTC with six fractional digits, e.g. `2024-02-29T23:59:59.999999Z`.
    static func appendTimestamp(_ date: Date, to out: inout [UInt8]) throws {
        guard let parts = utcParts(date) else {
            throw PostgresError(code: .invalidParameter, message: "date not finite or outside years 1...9999")
        }
        appendDigits(parts.year, width: 4, to: &out)
        out.append(UInt8(ascii: "-"))
        appendDigits(parts.month, width: 2, to: &out)
        out.append(UInt8(ascii: "-"))
        appendDigits(parts.day, width: 2, to: &out)
        out.append(UInt8(ascii: "T"))
        appendDigits(parts.seconds / 3600, width: 2, to: &out)
        out.append(UInt8(ascii: ":"))
        appendDigits(parts.seconds / 60 % 60, width: 2, to: &out)
        out.append(UInt8(ascii: ":"))
        appendDigits(parts.seconds % 60, width: 2, to: &out)
        out.append(UInt8(ascii: "."))
        appendDigits(parts.microseconds, width: 6, to: &out)
        out.append(UInt8(ascii: "Z"))
    }

    /// Zero-padded decimal digits of a non-negative number.
    private static func appendDigits(_ value: Int64, width: Int, to out: inout [UInt8]) {
        var divisor: Int64 = 1
        for _ in 1..<width { divisor *= 10 }
        var remaining = value
        while divisor > 0 {
            out.append(UInt8(ascii: "0") + UInt8(remaining / divisor % 10))
            remaining %= divisor
            divisor /= 10
        }
    }
}
