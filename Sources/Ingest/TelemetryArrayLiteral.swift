import Foundation
import Timekeeping
import TradingCore

/// A one-dimensional PostgreSQL array literal (`{a,b,NULL}`) written straight into UTF-8 bytes,
/// for the ingest statement's array parameters. Batches are tens of thousands of rows, and the
/// general-purpose encoding (a String per element, per-scalar quoting) cost more CPU than the
/// database spent storing them. Only element kinds that never need quoting are written unquoted
/// (UUIDs, instants, numbers); text goes through `appendQuoted`.
struct TelemetryArrayLiteral {
    private(set) var bytes: [UInt8]
    private var isEmpty = true

    init(reservingElements count: Int, bytesPerElement: Int) {
        bytes = [UInt8(ascii: "{")]
        bytes.reserveCapacity(count * (bytesPerElement + 1) + 2)
    }

    /// The finished literal.
    var text: String {
        var closed = bytes
        closed.append(UInt8(ascii: "}"))
        return String(decoding: closed, as: UTF8.self)
    }

    private mutating func separate() {
        if isEmpty { isEmpty = false } else { bytes.append(UInt8(ascii: ",")) }
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    mutating func append(_ uuid: UUID) {
        separate()
        withUnsafeBytes(of: uuid.uuid) { raw in
            for (index, byte) in raw.enumerated() {
                if index == 4 || index == 6 || index == 8 || index == 10 { bytes.append(UInt8(ascii: "-")) }
                bytes.append(Self.hexDigits[Int(byte >> 4)])
                bytes.append(Self.hexDigits[Int(byte & 0x0F)])
            }
        }
    }

    /// `YYYY-MM-DDTHH:MM:SS.ffffffZ`: read by PostgreSQL whatever the session's time zone.
    mutating func append(_ time: TelemetryTimestamp) {
        separate()
        let micros = time.microsecondsSinceEpoch
        var seconds = micros / 1_000_000
        var fraction = micros % 1_000_000
        if fraction < 0 {
            fraction += 1_000_000
            seconds -= 1
        }
        var days = seconds / 86_400
        var secondOfDay = seconds % 86_400
        if secondOfDay < 0 {
            secondOfDay += 86_400
            days -= 1
        }
        let (year, month, day) = CivilDate.date(days: days)
        digits(year, 4)
        bytes.append(UInt8(ascii: "-"))
        digits(month, 2)
        bytes.append(UInt8(ascii: "-"))
        digits(day, 2)
        bytes.append(UInt8(ascii: "T"))
        digits(secondOfDay / 3600, 2)
        bytes.append(UInt8(ascii: ":"))
        digits(secondOfDay % 3600 / 60, 2)
        bytes.append(UInt8(ascii: ":"))
        digits(secondOfDay % 60, 2)
        bytes.append(UInt8(ascii: "."))
        digits(fraction, 6)
        bytes.append(UInt8(ascii: "Z"))
    }

    mutating func append(_ value: Double?) {
        separate()
        guard let value else {
            bytes.append(contentsOf: [UInt8(ascii: "N"), UInt8(ascii: "U"), UInt8(ascii: "L"), UInt8(ascii: "L")])
            return
        }
        bytes.append(contentsOf: value.description.utf8)
    }

    /// A double-quoted element with `"` and `\` escaped.
    mutating func appendQuoted(_ text: String) {
        separate()
        bytes.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") { bytes.append(UInt8(ascii: "\\")) }
            bytes.append(byte)
        }
        bytes.append(UInt8(ascii: "\""))
    }

    private mutating func digits(_ value: Int64, _ width: Int) {
        var divisor: Int64 = 1
        for _ in 1..<width { divisor *= 10 }
        var rest = value
        while divisor > 0 {
            bytes.append(UInt8(ascii: "0") + UInt8(rest / divisor % 10))
            rest %= divisor
            divisor /= 10
        }
    }
}
