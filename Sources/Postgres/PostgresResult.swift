import CPostgres

/// Owns one `PGresult` and clears it exactly once (`PQclear` in deinit). Everything callers keep
/// is copied out into `PostgresRows` first, so no pointer into the result outlives it.
struct PostgresResult: ~Copyable {
    private let raw: OpaquePointer

    /// Takes ownership of a result returned by `PQexec*`/`PQgetResult`.
    init(taking raw: OpaquePointer) { self.raw = raw }

    deinit { PQclear(raw) }

    var status: ExecStatusType { PQresultStatus(raw) }

    /// The status text of the command (`INSERT 0 3`, `COMMIT`, `ROLLBACK`...).
    var commandTag: String { String(cString: PQcmdStatus(raw)) }

    /// Rows affected by INSERT/UPDATE/DELETE/SELECT/COPY...; 0 for other commands.
    var affectedRows: Int { Int(String(cString: PQcmdTuples(raw))) ?? 0 }

    /// The server's error, with SQLSTATE and fields, for a failed result.
    func error(code: PostgresError.Code = .server) -> PostgresError {
        func field(_ name: Unicode.Scalar) -> String? {
            guard let value = PQresultErrorField(raw, Int32(UInt8(ascii: name))) else { return nil }
            return String(cString: value)
        }
        let primary = field("M") ?? String(cString: PQresultErrorMessage(raw))
        return PostgresError(
            code: code, message: primary.trimmingTrailingNewlines(), sqlState: field("C"), detail: field("D"),
            hint: field("H"), constraintName: field("n"))
    }

    /// Copies every column description and cell into Swift-owned storage.
    func rows() -> PostgresRows {
        let rowCount = Int(PQntuples(raw))
        let columnCount = Int(PQnfields(raw))
        var columns: [PostgresColumn] = []
        columns.reserveCapacity(columnCount)
        for column in 0..<columnCount {
            columns.append(
                PostgresColumn(name: String(cString: PQfname(raw, Int32(column))), typeOID: PQftype(raw, Int32(column))))
        }
        var lengths = [Int32](repeating: -1, count: rowCount * columnCount)
        var totalBytes = 0
        for row in 0..<rowCount {
            for column in 0..<columnCount where PQgetisnull(raw, Int32(row), Int32(column)) == 0 {
                let length = PQgetlength(raw, Int32(row), Int32(column))
                lengths[row * columnCount + column] = length
                totalBytes += Int(length)
            }
        }
        var starts = [Int](repeating: 0, count: rowCount * columnCount)
        var bytes = [UInt8]()
        bytes.reserveCapacity(totalBytes)
        for row in 0..<rowCount {
            for column in 0..<columnCount {
                let cell = row * columnCount + column
                starts[cell] = bytes.count
                guard lengths[cell] > 0, let value = PQgetvalue(raw, Int32(row), Int32(column)) else { continue }
                value.withMemoryRebound(to: UInt8.self, capacity: Int(lengths[cell])) { pointer in
                    bytes.append(contentsOf: UnsafeBufferPointer(start: pointer, count: Int(lengths[cell])))
                }
            }
        }
        return PostgresRows(
            storage: PostgresRows.Storage(columns: columns, bytes: bytes, starts: starts, lengths: lengths),
            commandTag: commandTag, affectedRows: affectedRows)
    }
}

extension String {
    func trimmingTrailingNewlines() -> String {
        var text = Substring(self)
        while text.last == "\n" { text = text.dropLast() }
        return String(text)
    }
}
