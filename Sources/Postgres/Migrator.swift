import Foundation

/// Applies `NNNN_name.sql` files from a folder in version order, once each.
///
/// Each file runs inside its own transaction together with its row in `schema_migrations`
/// (`version`, `name`, `checksum`, `applied_at`), so a failing file leaves nothing behind. The
/// checksum is the hex SHA-256 of the file's exact bytes, computed by PostgreSQL's `sha256()` (this
/// target links no crypto library); it equals what `sha256sum` prints for the file.
///
/// The whole run holds a session advisory lock (`pg_advisory_lock(advisoryLockKey)`), so replicas
/// starting together apply each file once: the others wait, then find nothing left to do.
///
/// Refused with a clear error naming the file: an entry of the folder that is not a migration
/// file (nothing is skipped silently), a duplicate version, an applied file whose bytes or name
/// changed, and a new file numbered below one already applied. Versions recorded in the database
/// without a file are allowed, so an older replica can still start during a rolling upgrade.
/// Files must not contain BEGIN/COMMIT or statements that refuse transactions
/// (`CREATE INDEX CONCURRENTLY`).
public struct Migrator: Sendable {
    public struct Migration: Sendable, Hashable {
        /// The number before the first underscore.
        public let version: Int
        /// The file name without version and extension (`organizations_and_tokens`).
        public let name: String
        public let fileName: String
        let contents: [UInt8]
    }

    /// The key of the advisory lock held during a run ("tradingd" in ASCII).
    public static let advisoryLockKey: Int64 = 8_390_876_139_638_122_340

    public let directory: String

    public init(directory: String) {
        self.directory = directory
    }

    /// Reads and validates the folder's files, sorted by version.
    public func migrations() throws -> [Migration] {
        let entries: [String]
        do {
            entries = try FileManager.default.contentsOfDirectory(atPath: directory)
        } catch {
            throw PostgresError(code: .invalidMigration, message: "cannot list migrations folder \(directory): \(error)")
        }
        var byVersion: [Int: Migration] = [:]
        for fileName in entries.sorted() {
            guard let (version, name) = Self.parse(fileName: fileName) else {
                throw PostgresError(
                    code: .invalidMigration,
                    message: "\(directory)/\(fileName) is not a migration file: expected NNNN_name.sql "
                        + "(four digits from 0001, then lowercase letters, digits and underscores)")
            }
            let path = (directory as NSString).appendingPathComponent(fileName)
            guard let data = FileManager.default.contents(atPath: path) else {
                throw PostgresError(code: .invalidMigration, message: "cannot read \(path)")
            }
            guard String(bytes: data, encoding: .utf8) != nil else {
                throw PostgresError(code: .invalidMigration, message: "\(path) is not valid UTF-8")
            }
            if let other = byVersion[version] {
                throw PostgresError(
                    code: .invalidMigration, message: "\(fileName) and \(other.fileName) share version \(version)")
            }
            byVersion[version] = Migration(version: version, name: name, fileName: fileName, contents: [UInt8](data))
        }
        return byVersion.values.sorted { $0.version < $1.version }
    }

    /// Applies every pending file; returns those it applied (empty when already up to date).
    @discardableResult
    public func run(on connection: PostgresConnection) throws -> [Migration] {
        let files = try migrations()
        try connection.query("SELECT pg_advisory_lock($1)", [.int(Self.advisoryLockKey)])
        defer { _ = try? connection.query("SELECT pg_advisory_unlock($1)", [.int(Self.advisoryLockKey)]) }
        try connection.execute(
            """
            CREATE TABLE IF NOT EXISTS schema_migrations (
                version    int PRIMARY KEY,
                name       text NOT NULL,
                checksum   text NOT NULL,
                applied_at timestamptz NOT NULL DEFAULT now()
            )
            """)
        var applied: [Int: (name: String, checksum: String)] = [:]
        for row in try connection.query("SELECT version, name, checksum FROM schema_migrations") {
            applied[try row.int(0)] = (try row.string(1), try row.string(2))
        }
        let newestApplied = applied.keys.max() ?? 0
        var pending: [Migration] = []
        for file in files {
            guard let record = applied[file.version] else {
                if file.version < newestApplied {
                    throw PostgresError(
                        code: .invalidMigration,
                        message: "\(file.fileName) is numbered below version \(newestApplied), which is already "
                            + "applied: give it a number above \(newestApplied)")
                }
                pending.append(file)
                continue
            }
            let checksum = try Self.checksum(of: file, on: connection)
            guard record.checksum == checksum, record.name == file.name else {
                throw PostgresError(
                    code: .changedMigration,
                    message: "\(directory)/\(file.fileName) changed after it was applied (applied as '\(record.name)' "
                        + "with SHA-256 \(record.checksum), file now '\(file.name)' with SHA-256 \(checksum)); "
                        + "add a new migration instead of editing an applied one")
            }
        }
        for file in pending { try apply(file, on: connection) }
        return pending
    }

    private func apply(_ file: Migration, on connection: PostgresConnection) throws {
        do {
            try connection.transaction { connection in
                try connection.executeScript(String(decoding: file.contents, as: UTF8.self))
                try connection.execute(
                    "INSERT INTO schema_migrations (version, name, checksum, applied_at) "
                        + "VALUES ($1, $2, encode(sha256($3), 'hex'), now())",
                    [.int(Int64(file.version)), .text(file.name), .bytea(file.contents)])
            }
        } catch let error as PostgresError where error.code == .server {
            throw PostgresError(
                code: .failedMigration, message: "\(directory)/\(file.fileName) failed: \(error.message)",
                sqlState: error.sqlState, detail: error.detail, hint: error.hint, constraintName: error.constraintName)
        }
    }

    private static func checksum(of file: Migration, on connection: PostgresConnection) throws -> String {
        let rows = try connection.query("SELECT encode(sha256($1), 'hex')", [.bytea(file.contents)])
        return try rows[0].string(0)
    }

    /// `NNNN_name.sql` → (NNNN, name); nil for anything else.
    static func parse(fileName: String) -> (Int, String)? {
        let bytes = Array(fileName.utf8)
        guard bytes.count > 9, fileName.hasSuffix(".sql"), bytes[4] == UInt8(ascii: "_"),
            bytes[0..<4].allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) })
        else { return nil }
        let name = bytes[5..<(bytes.count - 4)]
        let allowed = { (byte: UInt8) in
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
                || byte == UInt8(ascii: "_")
        }
        guard let version = Int(String(decoding: bytes[0..<4], as: UTF8.self)), version > 0, name.allSatisfy(allowed)
        else { return nil }
        return (version, String(decoding: name, as: UTF8.self))
    }
}
