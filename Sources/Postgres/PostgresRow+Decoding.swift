import Foundation

/// Typed decoders. Each `x(_:)` throws on NULL; each `optionalX(_:)` returns nil for NULL.
extension PostgresRow {
    private typealias OID = PostgresTypeOID

    /// text, varchar, char(n), name, and user-defined types such as enums.
    public func optionalString(_ key: some PostgresColumnKey) throws -> String? {
        try decode(key, as: "String", accepts: {
            [OID.text, OID.varchar, OID.bpchar, OID.name, OID.char, OID.unknown].contains($0) || $0 >= OID.firstUserDefined
        }) { String(decoding: $0, as: UTF8.self) }
    }
    public func string(_ key: some PostgresColumnKey) throws -> String {
        try required(optionalString(key), key, "String")
    }

    /// int2, int4, int8.
    public func optionalInt(_ key: some PostgresColumnKey) throws -> Int? {
        try decode(key, as: "Int", accepts: { [OID.int2, OID.int4, OID.int8, OID.oid].contains($0) }) {
            PostgresTextFormat.parseInt($0).map { Int($0) }
        }
    }
    public func int(_ key: some PostgresColumnKey) throws -> Int { try required(optionalInt(key), key, "Int") }

    /// float4, float8; also integers and numeric, converted (rounding) to the nearest Double.
    public func optionalDouble(_ key: some PostgresColumnKey) throws -> Double? {
        try decode(key, as: "Double", accepts: {
            [OID.float4, OID.float8, OID.numeric, OID.int2, OID.int4, OID.int8].contains($0)
        }) { PostgresTextFormat.parseDouble(String(decoding: $0, as: UTF8.self)) }
    }
    public func double(_ key: some PostgresColumnKey) throws -> Double {
        try required(optionalDouble(key), key, "Double")
    }

    /// numeric and integers, exactly (up to Decimal's 38 significant digits, else an error).
    public func optionalDecimal(_ key: some PostgresColumnKey) throws -> Decimal? {
        try decode(key, as: "Decimal", accepts: { [OID.numeric, OID.int2, OID.int4, OID.int8].contains($0) }) {
            PostgresTextFormat.parseDecimal(String(decoding: $0, as: UTF8.self))
        }
    }
    public func decimal(_ key: some PostgresColumnKey) throws -> Decimal {
        try required(optionalDecimal(key), key, "Decimal")
    }

    public func optionalUUID(_ key: some PostgresColumnKey) throws -> UUID? {
        try decode(key, as: "UUID", accepts: { $0 == OID.uuid }) { UUID(uuidString: String(decoding: $0, as: UTF8.self)) }
    }
    public func uuid(_ key: some PostgresColumnKey) throws -> UUID { try required(optionalUUID(key), key, "UUID") }

    /// timestamptz only (a timestamp without time zone is ambiguous and refused).
    public func optionalDate(_ key: some PostgresColumnKey) throws -> Date? {
        try decode(key, as: "Date", accepts: { $0 == OID.timestamptz }) {
            PostgresTextFormat.parseTimestamp(String(decoding: $0, as: UTF8.self))
        }
    }
    public func date(_ key: some PostgresColumnKey) throws -> Date { try required(optionalDate(key), key, "Date") }

    public func optionalBool(_ key: some PostgresColumnKey) throws -> Bool? {
        try decode(key, as: "Bool", accepts: { $0 == OID.bool }) { bytes -> Bool? in
            guard bytes.count == 1 else { return nil }
            switch bytes[0] {
            case UInt8(ascii: "t"): return true
            case UInt8(ascii: "f"): return false
            default: return nil
            }
        }
    }
    public func bool(_ key: some PostgresColumnKey) throws -> Bool { try required(optionalBool(key), key, "Bool") }

    /// json or jsonb as UTF-8 JSON text bytes (for JSONDecoder or JSONSerialization).
    public func optionalJSON(_ key: some PostgresColumnKey) throws -> Data? {
        try decode(key, as: "JSON", accepts: { $0 == OID.jsonb || $0 == OID.json }) { Data($0) }
    }
    public func json(_ key: some PostgresColumnKey) throws -> Data { try required(optionalJSON(key), key, "JSON") }

    public func optionalBytes(_ key: some PostgresColumnKey) throws -> [UInt8]? {
        try decode(key, as: "[UInt8]", accepts: { $0 == OID.bytea }) { PostgresTextFormat.parseByteaHex($0) }
    }
    public func bytes(_ key: some PostgresColumnKey) throws -> [UInt8] {
        try required(optionalBytes(key), key, "[UInt8]")
    }

    // MARK: Arrays (one-dimensional; elements may be NULL)

    public func optionalStringArray(_ key: some PostgresColumnKey) throws -> [String?]? {
        try decodeArray(key, as: "[String?]", accepts: [OID.textArray, OID.varcharArray]) { $0 }
    }
    public func stringArray(_ key: some PostgresColumnKey) throws -> [String?] {
        try required(optionalStringArray(key), key, "[String?]")
    }

    public func optionalIntArray(_ key: some PostgresColumnKey) throws -> [Int?]? {
        try decodeArray(key, as: "[Int?]", accepts: [OID.int2Array, OID.int4Array, OID.int8Array]) { Int($0) }
    }
    public func intArray(_ key: some PostgresColumnKey) throws -> [Int?] {
        try required(optionalIntArray(key), key, "[Int?]")
    }

    public func optionalDoubleArray(_ key: some PostgresColumnKey) throws -> [Double?]? {
        try decodeArray(key, as: "[Double?]", accepts: [OID.float4Array, OID.float8Array]) {
            PostgresTextFormat.parseDouble($0)
        }
    }
    public func doubleArray(_ key: some PostgresColumnKey) throws -> [Double?] {
        try required(optionalDoubleArray(key), key, "[Double?]")
    }

    public func optionalDecimalArray(_ key: some PostgresColumnKey) throws -> [Decimal?]? {
        try decodeArray(key, as: "[Decimal?]", accepts: [OID.numericArray]) { PostgresTextFormat.parseDecimal($0) }
    }
    public func decimalArray(_ key: some PostgresColumnKey) throws -> [Decimal?] {
        try required(optionalDecimalArray(key), key, "[Decimal?]")
    }

    public func optionalUUIDArray(_ key: some PostgresColumnKey) throws -> [UUID?]? {
        try decodeArray(key, as: "[UUID?]", accepts: [OID.uuidArray]) { UUID(uuidString: $0) }
    }
    public func uuidArray(_ key: some PostgresColumnKey) throws -> [UUID?] {
        try required(optionalUUIDArray(key), key, "[UUID?]")
    }

    public func optionalDateArray(_ key: some PostgresColumnKey) throws -> [Date?]? {
        try decodeArray(key, as: "[Date?]", accepts: [OID.timestamptzArray]) { PostgresTextFormat.parseTimestamp($0) }
    }
    public func dateArray(_ key: some PostgresColumnKey) throws -> [Date?] {
        try required(optionalDateArray(key), key, "[Date?]")
    }

    public func optionalBoolArray(_ key: some PostgresColumnKey) throws -> [Bool?]? {
        try decodeArray(key, as: "[Bool?]", accepts: [OID.boolArray]) { $0 == "t" ? true : $0 == "f" ? false : nil }
    }
    public func boolArray(_ key: some PostgresColumnKey) throws -> [Bool?] {
        try required(optionalBoolArray(key), key, "[Bool?]")
    }
}
