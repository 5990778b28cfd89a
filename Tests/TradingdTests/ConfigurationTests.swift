import Foundation
import TestSupport
import Testing
@testable import Tradingd

@Suite struct ConfigurationTests {
    static let key = Data(repeating: 7, count: 32).base64EncodedString()
    static let complete = [
        "TRADINGD_DATABASE_URL": "postgresql://u:dbpass@127.0.0.1:5432/db",
        "TRADINGD_AMQP_URL": "amqp://u:mqpass@127.0.0.1:5672/%2F",
        "TRADINGD_SECRET_KEY": key,
    ]

    @Test func defaultsApplyWhenNothingIsSet() throws {
        let configuration = try Configuration.load(environment: [:])
        #expect(configuration.httpAddress == "127.0.0.1:8080")
        #expect(configuration.logLevel == .info)
        #expect(configuration.exchange == "trading")
        #expect(configuration.shutdownGrace == .seconds(20))
    }

    @Test func environmentOverridesTheFile() throws {
        let file = try temporaryFile(#"{"httpAddress": "0.0.0.0:9000", "logLevel": "debug", "databasePoolSize": 4}"#)
        let configuration = try Configuration.load(environment: ["TRADINGD_CONFIG": file, "TRADINGD_LOG_LEVEL": "error",
                                                                 "TRADINGD_DATABASE_LOOP_CONNECTIONS": "8"])
        #expect(configuration.httpAddress == "0.0.0.0:9000")
        #expect(configuration.logLevel == .error)
        #expect(configuration.databasePoolSize == 4)
        #expect(configuration.databaseLoopConnections == 8)
    }

    @Test func everyProblemIsReportedWithItsSourceAndKey() throws {
        let file = try temporaryFile(#"{"httpAddress": "nowhere", "colour": "blue"}"#)
        let error = try #require(throws: ConfigurationError.self) {
            try Configuration.load(environment: ["TRADINGD_CONFIG": file, "TRADINGD_LOG_LEVEL": "loud",
                                                 "TRADINGD_SECRET_KEY": "c2hvcnQ="],
                                   required: ["databaseURL"])
        }
        let text = error.description
        #expect(text.contains("config \(file) colour: is not a known setting"))
        #expect(text.contains("config TRADINGD_LOG_LEVEL logLevel: must be debug, info, warning or error"))
        #expect(text.contains("secretKey: must be base64 of exactly 32 bytes"))
        #expect(text.contains("databaseURL: is required"))
    }

    @Test func fileValuesOfTheWrongTypeAreRefused() throws {
        let file = try temporaryFile(#"{"databasePoolSize": true}"#)
        let error = try #require(throws: ConfigurationError.self) {
            try Configuration.load(environment: ["TRADINGD_CONFIG": file])
        }
        #expect(error.problems.map(\.key) == ["databasePoolSize"])
    }

    @Test func unreadableOrInvalidFilesAreNamed() throws {
        let missing = "/nonexistent/tradingd.json"
        let error = try #require(throws: ConfigurationError.self) {
            try Configuration.load(environment: ["TRADINGD_CONFIG": missing])
        }
        #expect(error.description == "config \(missing): cannot be read")
        let broken = try temporaryFile("{not json")
        let second = try #require(throws: ConfigurationError.self) {
            try Configuration.load(environment: ["TRADINGD_CONFIG": broken])
        }
        #expect(second.description.contains("is not a JSON object of settings"))
    }

    @Test func describeMasksEverySecret() throws {
        let configuration = try Configuration.load(environment: Self.complete, required: ["databaseURL", "amqpURL", "secretKey"])
        let text = configuration.describe().joined(separator: "\n")
        #expect(!text.contains("dbpass"))
        #expect(!text.contains("mqpass"))
        #expect(!text.contains(Self.key))
        #expect(text.contains("TRADINGD_DATABASE_URL = postgresql://u:****@127.0.0.1:5432/db"))
        #expect(text.contains("TRADINGD_SECRET_KEY = ****"))
    }

    @Test func describeMasksAPasswordGivenAsAQueryParameter() throws {
        var environment = Self.complete
        environment["TRADINGD_DATABASE_URL"] = "postgresql://u@127.0.0.1:5432/db?sslmode=disable&password=hunter2&sslpassword=keypass"
        let configuration = try Configuration.load(environment: environment, required: ["databaseURL", "amqpURL", "secretKey"])
        let text = configuration.describe().joined(separator: "\n")
        #expect(!text.contains("hunter2"))
        #expect(!text.contains("keypass"))
        #expect(text.contains("sslmode=disable&password=****&sslpassword=****"), "\(text)")
    }

    @Test func theExampleFileIsValidAndCoversEverySetting() throws {
        let example = Repository.root.appendingPathComponent("Config/tradingd.example.json").path
        _ = try Configuration.load(environment: ["TRADINGD_CONFIG": example])
        let object = try #require(try JSONSerialization.jsonObject(
            with: Data(contentsOf: URL(fileURLWithPath: example))) as? [String: Any])
        let help = try #require(object["_help"] as? [String: String])
        #expect(Set(help.keys) == Set(allSettings.map(\.key)))
    }

    @Test func addressesParse() {
        #expect(Configuration.parseAddress("127.0.0.1:8080")! == ("127.0.0.1", 8080))
        #expect(Configuration.parseAddress("[::1]:0")! == ("::1", 0))
        #expect(Configuration.parseAddress("127.0.0.1") == nil)
        #expect(Configuration.parseAddress("host:65536") == nil)
    }

    private func temporaryFile(_ text: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("tradingd-\(UUID().uuidString).json").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }
}
