import Foundation

/// One row of a `PostgresRows`; decode columns by index or name.
///
/// Each decoder checks the column's type first and throws a `.decoding` error naming the column
/// and both types on a mismatch; the non-optional decoders also throw on NULL.
public struct PostgresRow: Sendable {
    let storage: PostgresRows.Storage
    let row: Int

    public var columns: [PostgresColumn] { storage.columns }

    /// True when the column is NULL.
    public func isNull(_ key: some PostgresColumnKey) throws -> Bool {
        storage.lengths[row * storage.columns.count + (try columnIndex(key))] < 0
    }

    /// The server's text for any column type, nil for NULL; for diagnostics and unusual types.
    public func rawText(_ key: some PostgresColumnKey) throws -> String? {
        try decode(key, as: "text", accepts: { _ in true }) { String(decoding: $0, as: UTF8.self) }
    }

    // MARK: Decoding machinery

    func columnIndex(_ key: some PostgresColumnKey) throws -> Int {
        switch key.postgresColumnReference {
        case .index(let index):
            guard storage.columns.indices.contains(index) else {
                throw PostgresError(code: .decoding, message: "no column at index \(index) (row has \(storage.columns.count))")
            }
            return index
        case .name(let name):
            guard let index = storage.columnIndexByName[name] else {
                throw PostgresError(code: .decoding, message: "no column named '\(name)'")
            }
            return index
        }
    }

    /// Checks the column type, then parses the cell's bytes; nil for NULL.
    func decode<T>(
        _ key: some PostgresColumnKey, as swiftType: String, accepts: (UInt32) -> Bool,
        parse: (UnsafeBufferPointer<UInt8>) -> T?
    ) throws -> T? {
        let index = try columnIndex(key)
        let column = storage.columns[index]
        guard accepts(column.typeOID) else {
            throw PostgresError(
                code: .decoding,
                message: "column \(key.postgresColumnReference) is \(PostgresRow.typeName(column.typeOID)), "
                    + "cannot decode it as \(swiftType)")
        }
        let cell = row * storage.columns.count + index
        let length = Int(storage.lengths[cell])
        guard length >= 0 else { return nil }
        let start = storage.starts[cell]
        let parsed = storage.bytes.withUnsafeBufferPointer { all in
            parse(UnsafeBufferPointer(rebasing: all[start..<(start + length)]))
        }
        guard let parsed else {
            throw PostgresError(
                code: .decoding,
                message: "column \(key.postgresColumnReference) (\(PostgresRow.typeName(column.typeOID))) holds a value "
                    + "that is not a valid \(swiftType)")
        }
        return parsed
    }

    func required<T>(_ value: T?, _ key: some PostgresColumnKey, _ swiftType: String) throws -> T {
        guard let value else {
            throw PostgresError(
                code: .decoding, message: "column \(key.postgresColumnReference) is NULL, expected \(swiftType)")
        }
        return value
    }

    func decodeArray<T>(
        _ key: some PostgresColumnKey, as swiftType: String, accepts: Set<UInt32>, element: (String) -> T?
    ) throws -> [T?]? {
        try decode(key, as: swiftType, accepts: { accepts.contains($0) }) { bytes -> [T?]? in
            guard let texts = PostgresTextFormat.parseArrayLiteral(String(decoding: bytes, as: UTF8.self)) else {
                return nil
            }
            var values: [T?] = []
            values.reserveCapacity(texts.count)
            for text in texts {
                guard let text else {
                    values.append(nil)
                    continue
                }
                guard let value = element(text) else { return nil }
                values.append(value)
            }
            return values
        }
    }

    static func typeName(_ oid: UInt32) -> String {
        let names: [UInt32: String] = [
            PostgresTypeOID.bool: "bool", PostgresTypeOID.bytea: "bytea", PostgresTypeOID.char: "char",
            PostgresTypeOID.name: "name", PostgresTypeOID.int8: "int8", PostgresTypeOID.int2: "int2",
            PostgresTypeOID.int4: "int4", PostgresTypeOID.text: "text", PostgresTypeOID.oid: "oid",
            PostgresTypeOID.json: "json", PostgresTypeOID.float4: "float4", PostgresTypeOID.float8: "float8",
            PostgresTypeOID.unknown: "unknown", PostgresTypeOID.bpchar: "bpchar", PostgresTypeOID.varchar: "varchar",
            PostgresTypeOID.timestamptz: "timestamptz", 1114: "timestamp", 1082: "date",
            PostgresTypeOID.numeric: "numeric", PostgresTypeOID.uuid: "uuid", PostgresTypeOID.jsonb: "jsonb",
            PostgresTypeOID.boolArray: "bool[]", PostgresTypeOID.int2Array: "int2[]",
            PostgresTypeOID.int4Array: "int4[]", PostgresTypeOID.textArray: "text[]",
            PostgresTypeOID.varcharArray: "varchar[]", PostgresTypeOID.int8Array: "int8[]",
            PostgresTypeOID.float4Array: "float4[]", PostgresTypeOID.float8Array: "float8[]",
            PostgresTypeOID.timestamptzArray: "timestamptz[]", PostgresTypeOID.numericArray: "numeric[]",
            PostgresTypeOID.uuidArray: "uuid[]",
        ]
        return names[oid] ?? "type oid \(oid)"
    }
}
