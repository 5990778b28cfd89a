/// A column of a result: its name and its type OID.
public struct PostgresColumn: Sendable, Hashable {
    public let name: String
    public let typeOID: UInt32
}

/// The rows of one statement's result, copied out of libpq (values in text format).
public struct PostgresRows: Sendable, RandomAccessCollection {
    /// Immutable once built; shared by the rows handed out, hence Sendable.
    final class Storage: Sendable {
        let columns: [PostgresColumn]
        let columnIndexByName: [String: Int]
        let bytes: [UInt8]
        let starts: [Int]
        /// Cell lengths in bytes; -1 marks NULL.
        let lengths: [Int32]

        init(columns: [PostgresColumn], bytes: [UInt8], starts: [Int], lengths: [Int32]) {
            self.columns = columns
            var byName: [String: Int] = [:]
            for (index, column) in columns.enumerated() where byName[column.name] == nil {
                byName[column.name] = index  // the first of duplicate names wins, as in libpq
            }
            self.columnIndexByName = byName
            self.bytes = bytes
            self.starts = starts
            self.lengths = lengths
        }
    }

    let storage: Storage
    /// The command tag the server returned, e.g. `INSERT 0 3`.
    public let commandTag: String
    /// Rows inserted, updated, deleted, selected or copied.
    public let affectedRows: Int

    init(storage: Storage, commandTag: String, affectedRows: Int) {
        self.storage = storage
        self.commandTag = commandTag
        self.affectedRows = affectedRows
    }

    public var columns: [PostgresColumn] { storage.columns }
    public var startIndex: Int { 0 }
    public var endIndex: Int { storage.columns.isEmpty ? 0 : storage.lengths.count / storage.columns.count }

    public subscript(position: Int) -> PostgresRow {
        precondition(indices.contains(position), "row index \(position) out of range")
        return PostgresRow(storage: storage, row: position)
    }

    /// The only row, or nil when there is none; more than one is a decoding error.
    public func singleRow() throws -> PostgresRow? {
        guard count <= 1 else {
            throw PostgresError(code: .decoding, message: "expected at most one row, got \(count)")
        }
        return first
    }
}

/// Names a column by position (`Int`) or by name (`String`).
public protocol PostgresColumnKey: Sendable {
    var postgresColumnReference: PostgresColumnReference { get }
}

public enum PostgresColumnReference: Sendable, Hashable, CustomStringConvertible {
    case index(Int)
    case name(String)

    public var description: String {
        switch self {
        case .index(let index): return "at index \(index)"
        case .name(let name): return "'\(name)'"
        }
    }
}

extension Int: PostgresColumnKey {
    public var postgresColumnReference: PostgresColumnReference { .index(self) }
}

extension String: PostgresColumnKey {
    public var postgresColumnReference: PostgresColumnReference { .name(self) }
}
