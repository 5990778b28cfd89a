/// The ISO 8601 forms a dashboard sends for `from`/`to`, read into an instant: a full RFC 3339
/// date-time, one without seconds (`2026-12-02T18:00Z`), an offset in basic or hour-only form
/// (`+0100`, `+01`), or a date alone (`2026-12-02`, midnight UTC). Years 0001-9999 (PostgreSQL
/// has no year 0). Anything else is refused with the reason.
public enum QueryTime {
    public enum Failure: Error, Equatable, Sendable {
        /// Not one of the accepted forms.
        case unreadable
        /// A date-time without `Z` or an offset: which instant it means is unknown.
        case missingZone
        /// Year 0000, which PostgreSQL cannot store.
        case yearOutOfRange
    }

    public static func parse(_ text: String) -> Result<TelemetryTimestamp, Failure> {
        let bytes = Array(text.utf8)
        guard bytes.count >= 10, bytes.count <= 64, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"),
              bytes[0..<4].allSatisfy(isDigit) else { return .failure(.unreadable) }
        if bytes[0..<4].allSatisfy({ $0 == UInt8(ascii: "0") }) { return .failure(.yearOutOfRange) }
        let date = String(decoding: bytes[0..<10], as: UTF8.self)
        guard bytes.count > 10 else { return instant(date + "T00:00:00Z") }
        guard [UInt8(ascii: "T"), UInt8(ascii: "t"), UInt8(ascii: " ")].contains(bytes[10]),
              bytes.count >= 16, bytes[13] == UInt8(ascii: ":"), bytes[11..<13].allSatisfy(isDigit), bytes[14..<16].allSatisfy(isDigit)
        else { return .failure(.unreadable) }
        var index = 16
        var time = String(decoding: bytes[11..<16], as: UTF8.self)
        if index < bytes.count, bytes[index] == UInt8(ascii: ":") {
            guard index + 3 <= bytes.count, bytes[(index + 1)..<(index + 3)].allSatisfy(isDigit) else { return .failure(.unreadable) }
            time += String(decoding: bytes[index..<(index + 3)], as: UTF8.self)
            index += 3
            if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
                let start = index
                index += 1
                while index < bytes.count, isDigit(bytes[index]) { index += 1 }
                time += String(decoding: bytes[start..<index], as: UTF8.self)
            }
        } else {
            time += ":00"
        }
        guard let zone = zone(bytes[index...]) else {
            return .failure(index == bytes.count ? .missingZone : .unreadable)
        }
        return instant(date + "T" + time + zone)
    }

    /// `Z`, `±HH:MM`, `±HHMM` or `±HH` as RFC 3339 writes it; a space stands for the `+` that an
    /// unencoded query string turned into one.
    private static func zone(_ bytes: ArraySlice<UInt8>) -> String? {
        guard let first = bytes.first else { return nil }
        if bytes.count == 1, first == UInt8(ascii: "Z") || first == UInt8(ascii: "z") { return "Z" }
        guard [UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: " ")].contains(first) else { return nil }
        let sign = first == UInt8(ascii: "-") ? "-" : "+"
        let rest = Array(bytes.dropFirst())
        let digits: [UInt8]
        switch rest.count {
        case 2: digits = rest + Array("00".utf8)
        case 4: digits = rest
        case 5 where rest[2] == UInt8(ascii: ":"): digits = Array(rest[0..<2] + rest[3..<5])
        default: return nil
        }
        guard digits.allSatisfy(isDigit) else { return nil }
        return sign + String(decoding: digits[0..<2], as: UTF8.self) + ":" + String(decoding: digits[2..<4], as: UTF8.self)
    }

    private static func instant(_ rfc3339: String) -> Result<TelemetryTimestamp, Failure> {
        TelemetryTimestamp(rfc3339: rfc3339).map { .success($0) } ?? .failure(.unreadable)
    }

    private static func isDigit(_ byte: UInt8) -> Bool { (0x30...0x39).contains(byte) }
}
