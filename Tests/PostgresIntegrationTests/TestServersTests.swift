import Foundation
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
}
