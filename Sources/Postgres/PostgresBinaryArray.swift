import Foundation

/// A one-dimensional array parameter written in PostgreSQL's binary format (`array_recv`: a
/// header, then each element as a length and its big-endian bytes), for batch writes of tens of
/// thousands of rows: the server copies the elements instead of parsing their text (for
/// `float8` and `timestamptz` elements, most of what it spent per row on a text array).
///
/// Elements of one fixed-size type, NULLs allowed: `float8`, `int8`, `uuid`, `timestamptz`.
public struct PostgresBinaryArray: Sendable {
    public enum Element: Sendable {
        case float8, int8, uuid, timestamptz

        var oid: UInt32 {
            switch self {
            case .float8: PostgresTypeOID.float8
            case .int8: PostgresTypeOID.int8
            case .uuid: PostgresTypeOID.uuid
            case .timestamptz: PostgresTypeOID.timestamptz
            }
        }

        var arrayOID: UInt32 {
            switch self {
            case .float8: PostgresTypeOID.float8Array
            case .int8: PostgresTypeOID.int8Array
            case .uuid: PostgresTypeOID.uuidArray
            case .timestamptz: PostgresTypeOID.timestamptzArray
            }
        }

        var size: Int { self == .uuid ? 16 : 8 }
    }

    public let element: Element
    private var body: [UInt8] = []
    public private(set) var count = 0
    private var hasNulls = false

    /// Microseconds from the Unix epoch to PostgreSQL's, 2000-01-01 00:00:00 UTC.
    static let postgresEpochMicroseconds: Int64 = 946_684_800_000_000

    public init(of element: Element, reservingCapacity capacity: Int = 0) {
        self.element = element
        body.reserveCapacity(capacity * (4 + element.size))
    }

    public mutating func append(_ value: Double?) {
        precondition(element == .float8, "a float8 value in a \(element) array")
        guard let value else { return appendNull() }
        appendElement(value.bitPattern)
    }

    public mutating func append(_ value: Int64?) {
        precondition(element == .int8, "an int8 value in a \(element) array")
        guard let value else { return appendNull() }
        appendElement(UInt64(bitPattern: value))
    }

    public mutating func append(_ value: UUID) {
        precondition(element == .uuid, "a uuid in a \(element) array")
        appendLength(16)
        withUnsafeBytes(of: value.uuid) { body.append(contentsOf: $0) }
        count += 1
    }

    /// A `timestamptz` element, from microseconds since the Unix epoch.
    public mutating func append(microsecondsSinceEpoch micros: Int64) {
        precondition(element == .timestamptz, "a timestamptz in a \(element) array")
        appendElement(UInt64(bitPattern: micros - Self.postgresEpochMicroseconds))
    }

    public mutating func appendNull() {
        appendLength(-1)
        hasNulls = true
        count += 1
    }

    /// The parameter: the header (dimensions, NULL flag, element type) and the elements.
    public var value: PostgresValue {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(20 + body.count)
        func int32(_ value: Int32) { withUnsafeBytes(of: value.bigEndian) { bytes.append(contentsOf: $0) } }
        int32(count == 0 ? 0 : 1)  // dimensions: an empty array has none
        int32(hasNulls ? 1 : 0)
        int32(Int32(bitPattern: element.oid))
        if count > 0 {
            int32(Int32(count))
            int32(1)  // lower bound
        }
        bytes.append(contentsOf: body)
        return .binary(typeOID: element.arrayOID, bytes: bytes)
    }

    private mutating func appendLength(_ length: Int32) {
        withUnsafeBytes(of: length.bigEndian) { body.append(contentsOf: $0) }
    }

    private mutating func appendElement(_ bits: UInt64) {
        appendLength(8)
        withUnsafeBytes(of: bits.bigEndian) { body.append(contentsOf: $0) }
        count += 1
    }
}
