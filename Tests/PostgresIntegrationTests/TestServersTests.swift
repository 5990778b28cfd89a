import Foundation
import Postgres
import Testing

@testable import TestSupport

struct TestServersTests {
    @Test func readsTheServersFileFormatsAShellWouldSource() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("servers-\(UUID().uuidString).env")
        defer { try? FileManager.default.removeItem(at: file) }
        try Data(
            """
            # written by Deploy/servers.sh
            TRADINGD_TEST_DATABASE_URL=postgresql://u:p@127.0.0.1:1/db?sslmode=disable
            export TRADINGD_TEST_AMQP_URL="amqp://u:p@127.0.0.1:2/v"

            TRADINGD_TEST_AMQP_MANAGEMENT_URL='http://u:p@127.0.0.1:3'
            """.utf8
        ).write(to: file)
        let values = TestServers.parseEnvironmentFile(file)
        #expect(values["TRADINGD_TEST_DATABASE_URL"] == "postgresql://u:p@127.0.0.1:1/db?sslmode=disable")
        #expect(values["TRADINGD_TEST_AMQP_URL"] == "amqp://u:p@127.0.0.1:2/v")
        #expect(values["TRADINGD_TEST_AMQP_MANAGEMENT_URL"] == "http://u:p@127.0.0.1:3")
        #expect(values.count == 3)
    }

    @Test func missingSettingSaysHowToStartTheServers() {
        let error = TestServers.NotConfigured(variable: "TRADINGD_TEST_DATABASE_URL")
        #expect(error.description.contains("Deploy/servers.sh start"))
    }

    @Test func repositoryRootHoldsThePackage() {
        #expect(FileManager.default.fileExists(atPath: Repository.root.appendingPathComponent("Package.swift").path))
        #expect(FileManager.default.fileExists(atPath: Repository.migrationsDirectory))
    }

    @Test func testDatabaseURLKeepsEverythingButTheName() throws {
        let url = try TestDatabase.url("postgresql://u:p%40ss@127.0.0.1:55432/tradingd_test?sslmode=disable", database: "other")
        #expect(url == "postgresql://u:p%40ss@127.0.0.1:55432/other?sslmode=disable")
    }

    @Test func onlyTestDatabasesOlderThanTheThresholdAreStale() {
        let now = 1_800_000_000
        let old = "tradingd_t_\(now - TestDatabase.staleTestDatabaseAge - 1)_aaaaaaaa"
        let young = "tradingd_t_\(now - TestDatabase.staleTestDatabaseAge)_bbbbbbbb"
        let unnamed = "tradingd_t_notatime_cccccccc"
        let other = "tradingd_\(now - 86_400)_dddddddd"
        #expect(TestDatabase.staleTestDatabases([old, young, unnamed, other], now: now) == [old])
    }

    @Test func dropsManyDatabasesTogetherAndNoOthers() throws {
        let baseURL = try TestServers.databaseURL
        let admin = try PostgresConnection(url: baseURL)
        let prefix = "tradingd_t_\(Int(Date().timeIntervalSince1970))_drop\(UUID().uuidString.prefix(6).lowercased())"
        let doomed = (0..<(TestDatabase.parallelDrops + 3)).map { "\(prefix)_\($0)" }
        let kept = "\(prefix)_kept"
        defer { _ = try? admin.execute("DROP DATABASE IF EXISTS \(try PostgresConnection.quoteIdentifier(kept))") }
        for name in doomed + [kept] { try admin.execute("CREATE DATABASE \(try PostgresConnection.quoteIdentifier(name))") }
        // A session in one of them: FORCE ends it rather than leaving the database behind.
        let session = try PostgresConnection(url: try TestDatabase.url(baseURL, database: doomed[0]))
        TestDatabase.dropTogether(doomed, baseURL: baseURL)
        let left = try admin.query("SELECT datname FROM pg_database WHERE datname LIKE $1 ORDER BY datname", [.text(prefix + "%")])
            .map { try $0.string(0) }
        #expect(left == [kept])
        #expect(throws: (any Error).self) { try session.query("SELECT 1") }
    }
}
