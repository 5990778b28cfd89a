import Foundation
import Synchronization
import TestSupport
import Testing

@testable import Postgres

/// A temporary migrations folder, removed when the test ends.
final class MigrationsFolder {
    let path: String

    init(_ files: [String: String]) throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("migrations-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        for (name, sql) in files { try write(name, sql) }
    }

    func write(_ name: String, _ sql: String) throws {
        try Data(sql.utf8).write(to: URL(fileURLWithPath: path).appendingPathComponent(name))
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }
}

/// The file's SHA-256 as printed by coreutils' `sha256sum`: an independent computation.
func sha256sum(_ path: String) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/sha256sum")
    process.arguments = [path]
    let output = Pipe()
    process.standardOutput = output
    try process.run()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return String(decoding: data, as: UTF8.self).split(separator: " ").first.map(String.init) ?? ""
}

@Suite struct MigratorTests {
    let url: String
    let connection: PostgresConnection

    init() throws {
        url = try TestDatabase.fresh(migrated: false)
        connection = try PostgresConnection(url: url)
    }

    private func appliedVersions() throws -> [Int] {
        try connection.query("SELECT version FROM schema_migrations ORDER BY version").map { try $0.int(0) }
    }

    @Test func runTwiceAppliesEachFileOnceWithItsChecksum() throws {
        let folder = try MigrationsFolder([
            "0001_first.sql": "CREATE TABLE first (id int PRIMARY KEY);\nINSERT INTO first VALUES (1);\n",
            "0002_second_table.sql": "CREATE TABLE second (id int); -- ünïcode comment\n",
        ])
        let migrator = Migrator(directory: folder.path)
        let firstRun = try migrator.run(on: connection)
        #expect(firstRun.map(\.fileName) == ["0001_first.sql", "0002_second_table.sql"])
        #expect(try migrator.run(on: connection).isEmpty)
        #expect(try connection.query("SELECT count(*) FROM first")[0].int(0) == 1)
        let rows = try connection.query("SELECT version, name, checksum, applied_at FROM schema_migrations ORDER BY version")
        #expect(try rows.map { try $0.string("name") } == ["first", "second_table"])
        #expect(try rows[0].string("checksum") == sha256sum(folder.path + "/0001_first.sql"))
        #expect(try rows[1].string("checksum") == sha256sum(folder.path + "/0002_second_table.sql"))
        #expect(try abs(rows[0].date("applied_at").timeIntervalSinceNow) < 600)

        try folder.write("0003_third.sql", "ALTER TABLE second ADD COLUMN label text;")
        #expect(try migrator.run(on: connection).map(\.version) == [3])
        #expect(try appliedVersions() == [1, 2, 3])
    }

    @Test func twoRunnersAtOnceApplyEachFileOnce() throws {
        // Not idempotent on purpose: a second application of any file would fail.
        var files: [String: String] = [:]
        for version in 1...6 {
            files[String(format: "%04d_step_%d.sql", version, version)] =
                "SELECT pg_sleep(0.05); CREATE TABLE step_\(version) (id int); INSERT INTO step_\(version) VALUES (\(version));"
        }
        let folder = try MigrationsFolder(files)
        let path = folder.path
        let databaseURL = url
        let results = Mutex<[[Int]]>([])
        let errors = Mutex<[String]>([])
        onThreads(2) { _ in
            do {
                let own = try PostgresConnection(url: databaseURL)
                let applied = try Migrator(directory: path).run(on: own).map(\.version)
                results.withLock { $0.append(applied) }
            } catch {
                errors.withLock { $0.append(String(reflecting: error)) }
            }
        }
        #expect(errors.withLock { $0 } == [])
        let both = results.withLock { $0 }
        #expect(both.count == 2)
        #expect(both.flatMap { $0 }.sorted() == Array(1...6), "every file applied by exactly one runner")
        #expect(try appliedVersions() == Array(1...6))
    }

    @Test func changedAppliedFileIsRefusedByName() throws {
        let folder = try MigrationsFolder(["0001_first.sql": "CREATE TABLE first (id int);"])
        let migrator = Migrator(directory: folder.path)
        try migrator.run(on: connection)
        try folder.write("0001_first.sql", "CREATE TABLE first (id int, extra text);")
        try folder.write("0002_next.sql", "CREATE TABLE next (id int);")
        let error = try #require(throws: PostgresError.self) { try migrator.run(on: connection) }
        #expect(error.code == .changedMigration)
        #expect(error.message.contains("0001_first.sql"))
        #expect(try appliedVersions() == [1], "nothing after the refusal was applied")
    }

    @Test(arguments: ["0002-dash.sql", "2_short.sql", "0002_Upper.sql", "0002_name.SQL", "README.md", "0000_zero.sql", ".hidden"])
    func badFileNameIsRefusedBeforeAnythingRuns(badName: String) throws {
        let folder = try MigrationsFolder(["0001_first.sql": "CREATE TABLE first (id int);", badName: "SELECT 1;"])
        let error = try #require(throws: PostgresError.self) { try Migrator(directory: folder.path).run(on: connection) }
        #expect(error.code == .invalidMigration)
        #expect(error.message.contains(badName))
        let tables = try connection.query("SELECT count(*) FROM pg_tables WHERE tablename IN ('first', 'schema_migrations')")
        #expect(try tables[0].int(0) == 0)
    }

    @Test func failingFileKeepsNothingOfItselfAndNamesIt() throws {
        let folder = try MigrationsFolder([
            "0001_good.sql": "CREATE TABLE good (id int);",
            "0002_bad.sql": "CREATE TABLE half (id int);\nINSERT INTO missing_table VALUES (1);",
        ])
        let error = try #require(throws: PostgresError.self) { try Migrator(directory: folder.path).run(on: connection) }
        #expect(error.code == .failedMigration)
        #expect(error.message.contains("0002_bad.sql"))
        #expect(error.sqlState == "42P01")
        #expect(try appliedVersions() == [1])
        #expect(try connection.query("SELECT count(*) FROM pg_tables WHERE tablename = 'half'")[0].int(0) == 0)
    }

    @Test func newFileNumberedBelowAnAppliedOneIsRefused() throws {
        let folder = try MigrationsFolder(["0001_a.sql": "SELECT 1;", "0003_c.sql": "SELECT 3;"])
        let migrator = Migrator(directory: folder.path)
        try migrator.run(on: connection)
        try folder.write("0002_b.sql", "SELECT 2;")
        let error = try #require(throws: PostgresError.self) { try migrator.run(on: connection) }
        #expect(error.code == .invalidMigration)
        #expect(error.message.contains("0002_b.sql"))
    }

    @Test func duplicateVersionIsRefused() throws {
        let folder = try MigrationsFolder(["0001_a.sql": "SELECT 1;", "0001_b.sql": "SELECT 2;"])
        let error = try #require(throws: PostgresError.self) { try Migrator(directory: folder.path).migrations() }
        #expect(error.message.contains("0001_a.sql") && error.message.contains("0001_b.sql"))
    }

    @Test func projectMigrationsApplyToAnEmptyDatabase() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Repository.migrationsDirectory)
            .filter { $0.hasSuffix(".sql") }.sorted()
        #expect(!files.isEmpty)
        let applied = try Migrator(directory: Repository.migrationsDirectory).run(on: connection)
        #expect(applied.map(\.fileName) == files)
        #expect(try appliedVersions().count == files.count)
        #expect(try connection.query("SELECT to_regclass('organizations') IS NOT NULL")[0].bool(0))
        // A database from the migrated template holds the same bookkeeping.
        let cloned = try PostgresConnection(url: try TestDatabase.fresh())
        let clonedVersions = try cloned.query("SELECT version FROM schema_migrations ORDER BY version").map { try $0.int(0) }
        #expect(clonedVersions == (try appliedVersions()))
        #expect(try Migrator(directory: Repository.migrationsDirectory).run(on: cloned).isEmpty)
    }

    @Test func fileNamesParse() {
        #expect(Migrator.parse(fileName: "0001_organizations_and_tokens.sql")! == (1, "organizations_and_tokens"))
        #expect(Migrator.parse(fileName: "0120_x2.sql")! == (120, "x2"))
        #expect(Migrator.parse(fileName: "0001_.sql") == nil)
        #expect(Migrator.parse(fileName: "00001_a.sql") == nil)
    }
}
