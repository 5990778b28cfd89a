import Foundation
import Postgres
import Synchronization

/// Databases of their own for integration tests, on the private test server.
///
/// A migrated database is cloned (`CREATE DATABASE ... TEMPLATE`) from a template that holds the
/// schema of this checkout's `Migrations/`: it is built once, named after a SHA-256 over the
/// migration files (so editing them builds a new one), under an exclusive advisory lock so that
/// parallel test processes and worktrees sharing the server do not race. Clones take the same lock
/// shared, so a template is never renamed or dropped while being copied.
public enum TestDatabase {
    /// Makes a new, uniquely named database and returns its URL.
    /// - Parameter migrated: true for this checkout's schema, false for an empty database.
    public static func fresh(migrated: Bool = true) throws -> String {
        let baseURL = try TestServers.databaseURL
        let admin = try PostgresConnection(url: baseURL)
        dropStaleDatabasesOnce(baseURL: baseURL)
        let name = "\(testPrefix)\(Int(Date().timeIntervalSince1970))_\(UUID().uuidString.prefix(8).lowercased())"
        if migrated {
            do {
                try clone(name, admin: admin, baseURL: baseURL)
            } catch let error as PostgresError where error.sqlState == "3D000" {
                // Another process dropped a template unused for a day just now: build it again.
                readyTemplate.withLock { $0 = nil }
                try clone(name, admin: admin, baseURL: baseURL)
            }
        } else {
            try admin.execute("CREATE DATABASE \(try PostgresConnection.quoteIdentifier(name))")
        }
        return try url(baseURL, database: name)
    }

    /// Drops a database made by `fresh` (tests may leave theirs; stale ones are dropped later).
    public static func drop(_ databaseURL: String) throws {
        guard let name = URLComponents(string: databaseURL)?.path.dropFirst(), name.hasPrefix(testPrefix) else {
            return
        }
        let admin = try PostgresConnection(url: try TestServers.databaseURL)
        try admin.execute("DROP DATABASE IF EXISTS \(try PostgresConnection.quoteIdentifier(String(name))) WITH (FORCE)")
    }

    /// `baseURL` with its database name replaced.
    public static func url(_ baseURL: String, database: String) throws -> String {
        guard var components = URLComponents(string: baseURL) else {
            throw PostgresError(code: .invalidURL, message: "cannot parse the test database URL")
        }
        components.path = "/" + database
        guard let url = components.string else {
            throw PostgresError(code: .invalidURL, message: "cannot build a URL for database \(database)")
        }
        return url
    }

    // MARK: Template

    static let testPrefix = "tradingd_t_"
    private static let templatePrefix = "tradingd_tpl_"
    /// Advisory lock key guarding template builds ("tradtest" in ASCII).
    private static let templateLockKey: Int64 = 8_390_876_139_822_084_980
    /// The template this process already checked or built.
    private static let readyTemplate = Mutex<String?>(nil)

    private static func clone(_ name: String, admin: PostgresConnection, baseURL: String) throws {
        let template = try migratedTemplate(admin: admin, baseURL: baseURL)
        try admin.query("SELECT pg_advisory_lock_shared($1)", [.int(templateLockKey)])
        defer { _ = try? admin.query("SELECT pg_advisory_unlock_shared($1)", [.int(templateLockKey)]) }
        try admin.execute(
            "CREATE DATABASE \(try PostgresConnection.quoteIdentifier(name)) "
                + "TEMPLATE \(try PostgresConnection.quoteIdentifier(template))")
    }

    private static func migratedTemplate(admin: PostgresConnection, baseURL: String) throws -> String {
        try readyTemplate.withLock { ready in
            if let ready { return ready }
            let name = templatePrefix + (try migrationsHash(admin))
            try admin.query("SELECT pg_advisory_lock($1)", [.int(templateLockKey)])
            defer { _ = try? admin.query("SELECT pg_advisory_unlock($1)", [.int(templateLockKey)]) }
            let exists = try admin.query("SELECT 1 FROM pg_database WHERE datname = $1", [.text(name)]).count == 1
            if !exists { try buildTemplate(name, admin: admin, baseURL: baseURL) }
            try markUsed(name, admin: admin)
            ready = name
            return name
        }
    }

    /// Builds under a temporary name and renames when complete, so a crash mid-build never leaves
    /// a half-migrated template behind under the real name.
    private static func buildTemplate(_ name: String, admin: PostgresConnection, baseURL: String) throws {
        let building = name + "_building"
        try admin.execute("DROP DATABASE IF EXISTS \(try PostgresConnection.quoteIdentifier(building)) WITH (FORCE)")
        try admin.execute("CREATE DATABASE \(try PostgresConnection.quoteIdentifier(building))")
        do {
            let connection = try PostgresConnection(url: try url(baseURL, database: building))
            try Migrator(directory: Repository.migrationsDirectory).run(on: connection)
        }  // the connection closes here: a database with sessions can be neither renamed nor cloned
        try admin.execute(
            "ALTER DATABASE \(try PostgresConnection.quoteIdentifier(building)) "
                + "RENAME TO \(try PostgresConnection.quoteIdentifier(name))")
    }

    /// Records when a process last used the template; clean-up drops templates unused for a day.
    private static func markUsed(_ name: String, admin: PostgresConnection) throws {
        try admin.execute(
            "COMMENT ON DATABASE \(try PostgresConnection.quoteIdentifier(name)) "
                + "IS 'tradingd test template used at \(Int(Date().timeIntervalSince1970))'")
    }

    /// SHA-256 (by the server) over every migration file's name and bytes, in order.
    private static func migrationsHash(_ admin: PostgresConnection) throws -> String {
        let directory = Repository.migrationsDirectory
        var bytes: [UInt8] = []
        for fileName in try FileManager.default.contentsOfDirectory(atPath: directory).sorted() {
            bytes += Array(fileName.utf8) + [0]
            bytes += [UInt8](FileManager.default.contents(atPath: directory + "/" + fileName) ?? Data()) + [0]
        }
        let rows = try admin.query("SELECT encode(sha256($1), 'hex')", [.bytea(bytes)])
        return String(try rows[0].string(0).prefix(16))
    }

    // MARK: Clean-up

    private static let cleanedUp = Mutex(false)

    /// Held by the one process that sweeps (session lock on its sweeping connection).
    private static let sweepLockKey: Int64 = 8_390_876_139_822_084_981

    /// Once per process, in the background: drops test databases made over an hour ago (their
    /// names carry the time) and templates of other migration sets unused for a day. No test waits
    /// for it, and only one process at a time sweeps: several used to drop the same list in
    /// lockstep. Best effort: failures are ignored.
    private static func dropStaleDatabasesOnce(baseURL: String) {
        let first = cleanedUp.withLock { done in
            defer { done = true }
            return !done
        }
        guard first else { return }
        Thread.detachNewThread { dropStaleDatabases(baseURL: baseURL) }
    }

    /// A test database is stale an hour after it was made: no test runs that long, so nothing
    /// still uses it (other processes sharing the server may be using any younger one).
    static let staleTestDatabaseAge = 3600
    /// Test databases dropped at once. Every `DROP DATABASE` forces a checkpoint, seconds each on
    /// a loaded server; drops in flight together share one, so a backlog of thousands clears in
    /// minutes instead of hours.
    static let parallelDrops = 16

    /// The test databases (not templates) among `names` made over `staleTestDatabaseAge` ago.
    static func staleTestDatabases(_ names: [String], now: Int) -> [String] {
        names.filter { name in
            guard name.hasPrefix(testPrefix),
                  let created = name.dropFirst(testPrefix.count).split(separator: "_").first.flatMap({ Int($0) })
            else { return false }
            return now - created > staleTestDatabaseAge
        }
    }

    private static func dropStaleDatabases(baseURL: String) {
        guard let admin = try? PostgresConnection(url: baseURL),
              (try? admin.query("SELECT pg_try_advisory_lock($1)", [.int(sweepLockKey)]).singleRow()?.bool(0)) == true,
              let current = try? templatePrefix + migrationsHash(admin) else { return }
        guard let rows = try? admin.query(
            "SELECT datname, coalesce(shobj_description(oid, 'pg_database'), '') FROM pg_database "
                + "WHERE datname LIKE 'tradingd\\_t\\_%' OR datname LIKE 'tradingd\\_tpl\\_%'")
        else { return }
        let now = Int(Date().timeIntervalSince1970)
        var testDatabases: [String] = []
        for row in rows {
            guard let name = try? row.string(0), let comment = try? row.string(1) else { continue }
            guard name.hasPrefix(templatePrefix) else {
                testDatabases.append(name)
                continue
            }
            let built = comment.split(separator: " ").last.flatMap { Int($0) }
            guard built.map({ now - $0 > 86_400 }) ?? false, name != current,
                  let quoted = try? PostgresConnection.quoteIdentifier(name) else { continue }
            _ = try? admin.query("SELECT pg_advisory_lock($1)", [.int(templateLockKey)])
            _ = try? admin.execute("DROP DATABASE IF EXISTS \(quoted) WITH (FORCE)")
            _ = try? admin.query("SELECT pg_advisory_unlock($1)", [.int(templateLockKey)])
        }
        let stale = staleTestDatabases(testDatabases, now: now)
        for start in stride(from: 0, to: stale.count, by: parallelDrops) {
            dropTogether(Array(stale[start..<min(start + parallelDrops, stale.count)]), baseURL: baseURL)
        }
    }

    /// Drops `names` each on its own connection and thread, all in flight at once; returns when
    /// every drop has ended.
    static func dropTogether(_ names: [String], baseURL: String) {
        let group = DispatchGroup()
        for name in names {
            guard let quoted = try? PostgresConnection.quoteIdentifier(name) else { continue }
            group.enter()
            Thread.detachNewThread {
                defer { group.leave() }
                _ = try? PostgresConnection(url: baseURL).execute("DROP DATABASE IF EXISTS \(quoted) WITH (FORCE)")
            }
        }
        group.wait()
    }
}
