import CPostgres

/// Bulk loading with `COPY ... FROM STDIN` (text format): the fastest way to insert many rows.
extension PostgresConnection {
    /// Streams `rows` to a `COPY table (columns) FROM STDIN` statement and returns the rows copied.
    ///
    /// Each row holds one value per column, encoded like query parameters (arrays included); the
    /// rows go out in chunks of about 256 KiB (`PQputCopyData`), so memory stays flat. A value that
    /// cannot be encoded aborts the COPY (`PQputCopyEnd` with an error), which the server rolls back.
    @discardableResult
    public func copyFrom(_ sql: String, rows: some Sequence<[PostgresValue]>) throws -> Int {
        try exclusively {
            try startCopy(sql)
            var buffer: [UInt8] = []
            buffer.reserveCapacity(Self.copyChunkSize + 4096)
            do {
                for row in rows {
                    try Self.appendCopyRow(row, to: &buffer)
                    if buffer.count >= Self.copyChunkSize {
                        try sendCopyData(buffer)
                        buffer.removeAll(keepingCapacity: true)
                    }
                }
                if !buffer.isEmpty { try sendCopyData(buffer) }
            } catch {
                _ = PQputCopyEnd(rawHandle, "client aborted COPY: \(error)")
                while let pending = PQgetResult(rawHandle) { PQclear(pending) }
                throw error
            }
            guard PQputCopyEnd(rawHandle, nil) == 1 else { throw connectionError() }
            var copied = 0
            var failure: PostgresError?
            while let raw = PQgetResult(rawHandle) {
                let result = PostgresResult(taking: raw)
                if result.status == PGRES_COMMAND_OK {
                    copied = result.affectedRows
                } else if failure == nil {
                    failure = result.error()
                }
            }
            if let failure { throw failure }
            return copied
        }
    }

    private static let copyChunkSize = 256 * 1024

    /// Sends the COPY statement and checks the server is waiting for data.
    private func startCopy(_ sql: String) throws {
        guard let raw = PQexec(rawHandle, sql) else { throw connectionError() }
        let result = PostgresResult(taking: raw)
        guard result.status == PGRES_COPY_IN else {
            if result.status == PGRES_FATAL_ERROR { throw result.error() }
            throw PostgresError(code: .copyFailed, message: "copyFrom needs a COPY ... FROM STDIN statement")
        }
    }

    private func sendCopyData(_ bytes: [UInt8]) throws {
        let sent = bytes.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { PQputCopyData(rawHandle, $0.baseAddress, Int32($0.count)) }
        }
        guard sent == 1 else { throw connectionError() }
    }

    /// One line of COPY text format: tab-separated, `\N` for NULL, with `\`, tab, newline and
    /// carriage return escaped by backslash.
    static func appendCopyRow(_ row: [PostgresValue], to buffer: inout [UInt8]) throws {
        var scratch: [UInt8] = []
        for (index, value) in row.enumerated() {
            if index > 0 { buffer.append(UInt8(ascii: "\t")) }
            scratch.removeAll(keepingCapacity: true)
            guard try value.appendTextFormat(to: &scratch) else {
                buffer.append(UInt8(ascii: "\\"))
                buffer.append(UInt8(ascii: "N"))
                continue
            }
            for byte in scratch {
                switch byte {
                case UInt8(ascii: "\\"): buffer.append(UInt8(ascii: "\\")); buffer.append(UInt8(ascii: "\\"))
                case UInt8(ascii: "\t"): buffer.append(UInt8(ascii: "\\")); buffer.append(UInt8(ascii: "t"))
                case UInt8(ascii: "\n"): buffer.append(UInt8(ascii: "\\")); buffer.append(UInt8(ascii: "n"))
                case UInt8(ascii: "\r"): buffer.append(UInt8(ascii: "\\")); buffer.append(UInt8(ascii: "r"))
                default: buffer.append(byte)
                }
            }
        }
        buffer.append(UInt8(ascii: "\n"))
    }
}
