import Foundation

/// A query parameter, sent in PostgreSQL's text format with an explicit type OID.
///
/// Arrays may hold NULL elements and are sent as array literals, so batch writes can use
/// `INSERT ... SELECT * FROM unnest($1::uuid[], $2::timestamptz[], ...)` with one parameter per
/// column instead of one per value.
public enum PostgresValue: Sendable, Hashable {
    case null
    case text(String)
    case int(Int64)
    case double(Double)
    /// `numeric`, exact: never converted through `Double`.
    case decimal(Decimal)
    case uuid(UUID)
    /// `timestamptz`, sent in UTC rounded to the microsecond (PostgreSQL's precision).
    case timestamptz(Date)
    /// `interval` of a fixed length in whole seconds (no months or days, whose lengths vary).
    /// Typed, so that `date_bin($1, ...)` in a prepared plan reads it as is; a text parameter
    /// cast with `::interval` is parsed again for every row of a generic plan.
    case interval(seconds: Int64)
    case bool(Bool)
    /// `jsonb` from raw JSON text; the server validates it.
    case jsonb(String)
    case bytea([UInt8])
    case textArray([String?])
    case intArray([Int64?])
    case doubleArray([Double?])
    case decimalArray([Decimal?])
    case uuidArray([UUID?])
    case timestamptzArray([Date?])
    case boolArray([Bool?])
    /// A value already in PostgreSQL's binary format, of type `typeOID` (`PostgresBinaryArray`).
    case binary(typeOID: UInt32, bytes: [UInt8])

    /// `jsonb` from UTF-8 JSON bytes.
    public static func jsonb(_ data: Data) -> PostgresValue {
        .jsonb(String(decoding: data, as: UTF8.self))
    }

    /// `bytea` from `Data`.
    public static func bytea(_ data: Data) -> PostgresValue { .bytea([UInt8](data)) }
}

// Optional-taking initialisers, so `PostgresValue(maybeName)` sends NULL for nil.
extension PostgresValue {
    public init(_ value: String?) { self = value.map { .text($0) } ?? .null }
    public init(_ value: Int?) { self = value.map { .int(Int64($0)) } ?? .null }
    public init(_ value: Int64?) { self = value.map { .int($0) } ?? .null }
    public init(_ value: Double?) { self = value.map { .double($0) } ?? .null }
    public init(_ value: Decimal?) { self = value.map { .decimal($0) } ?? .null }
    public init(_ value: UUID?) { self = value.map { .uuid($0) } ?? .null }
    public init(_ value: Date?) { self = value.map { .timestamptz($0) } ?? .null }
    public init(_ value: Bool?) { self = value.map { .bool($0) } ?? .null }
}

extension PostgresValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByFloatLiteral, ExpressibleByBooleanLiteral, ExpressibleByNilLiteral
{
    public init(stringLiteral value: String) { self = .text(value) }
    public init(integerLiteral value: Int64) { self = .int(value) }
    public init(floatLiteral value: Double) { self = .double(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(nilLiteral: ()) { self = .null }
}

extension PostgresValue {
    /// The type OID sent with the parameter; 0 lets the server infer the type of a NULL.
    var typeOID: UInt32 {
        switch self {
        case .null: return 0
        case .text: return PostgresTypeOID.text
        case .int: return PostgresTypeOID.int8
        case .double: return PostgresTypeOID.float8
        case .decimal: return PostgresTypeOID.numeric
        case .uuid: return PostgresTypeOID.uuid
        case .timestamptz: return PostgresTypeOID.timestamptz
        case .interval: return PostgresTypeOID.interval
        case .bool: return PostgresTypeOID.bool
        case .jsonb: return PostgresTypeOID.jsonb
        case .bytea: return PostgresTypeOID.bytea
        case .textArray: return PostgresTypeOID.textArray
        case .intArray: return PostgresTypeOID.int8Array
        case .doubleArray: return PostgresTypeOID.float8Array
        case .decimalArray: return PostgresTypeOID.numericArray
        case .uuidArray: return PostgresTypeOID.uuidArray
        case .timestamptzArray: return PostgresTypeOID.timestamptzArray
        case .boolArray: return PostgresTypeOID.boolArray
        case .binary(let oid, _): return oid
        }
    }
}

/// Type OIDs fixed by PostgreSQL's catalog (`pg_type`); stable across versions.
enum PostgresTypeOID {
    static let bool: UInt32 = 16
    static let bytea: UInt32 = 17
    static let char: UInt32 = 18
    static let name: UInt32 = 19
    static let int8: UInt32 = 20
    static let int2: UInt32 = 21
    static let int4: UInt32 = 23
    static let text: UInt32 = 25
    static let oid: UInt32 = 26
    static let json: UInt32 = 114
    static let float4: UInt32 = 700
    static let float8: UInt32 = 701
    static let unknown: UInt32 = 705
    static let bpchar: UInt32 = 1042
    static let varchar: UInt32 = 1043
    static let timestamptz: UInt32 = 1184
    static let interval: UInt32 = 1186
    static let numeric: UInt32 = 1700
    static let uuid: UInt32 = 2950
    static let jsonb: UInt32 = 3802
    static let boolArray: UInt32 = 1000
    static let int2Array: UInt32 = 1005
    static let int4Array: UInt32 = 1007
    static let textArray: UInt32 = 1009
    static let varcharArray: UInt32 = 1015
    static let int8Array: UInt32 = 1016
    static let float4Array: UInt32 = 1021
    static let float8Array: UInt32 = 1022
    static let timestamptzArray: UInt32 = 1185
    static let numericArray: UInt32 = 1231
    static let uuidArray: UInt32 = 2951
    /// OIDs from here on belong to user-defined types (enums, domains, extensions such as citext).
    static let firstUserDefined: UInt32 = 16384
}
