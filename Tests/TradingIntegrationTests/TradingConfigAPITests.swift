import Accounts
import AMQP
@testable import API
import Crypto
import Domain
import Foundation
import HTTPServer
import JSON
import Postgres
import Testing
import TestSupport
@testable import Trading
@testable import TradingAPI
@testable import Tradingd

/// The configuration endpoints through a real listener, database and broker.
struct TradingConfigAPITests {
    static let seedConfigKeys: Set<String> = ["createdAt", "esmApiUrl", "esmClientId", "hasEsmCredentials", "id", "lastSyncAt",
                                              "lastSyncError", "organizationId", "queuePrefix", "status", "updatedAt"]

    @Test func getReturnsADisabledDefaultNamedAfterTheSlug() async throws {
        let f = try TradingTestFixture()
        defer { f.tearDown() }
        let answer = try await f.call("GET", "/config", role: .viewer)
        #expect(answer.status == 200)
        let object = answer.object
        #expect(Set(object.keys) == Self.seedConfigKeys)
        #expect(object["status"] as? String == "DISABLED")
        #expect(object["queuePrefix"] as? String == f.slug)
        #expect(object["hasEsmCredentials"] as? Bool == false)
        #expect(object["esmApiUrl"] is NSNull)
        #expect(object["organizationId"] as? String == f.organizationID.uuidString.lowercased())
        // A second read returns the same row.
        #expect(try await f.call("GET", "/config", role: .viewer).object["id"] as? String == object["id"] as? String)
    }

    @Test func updateStoresTheSecretSealedAndNeverShowsIt() async throws {
        let f = try TradingTestFixture()
        defer { f.tearDown() }
        let secret = "s3cret-" + UUID().uuidString
        let answer = try await f.configure(secret: secret)
        #expect(answer.status == 200, "\(answer.text)")
        #expect(answer.object["hasEsmCredentials"] as? Bool == true)
        #expect(answer.object["esmApiUrl"] as? String == TradingTestFixture.publicESMURL)
        #expect(answer.object["esmClientId"] as? String == "client-1")
        #expect(Set(answer.object.keys) == Self.seedConfigKeys)
        #expect(!answer.text.contains(secret))
        #expect(!(try await f.call("GET", "/config").text.contains(secret)))

        // The database holds only a sealed token that opens to the secret under this organisation's context.
        let sealed = try #require(try f.row("SELECT esm_client_secret_sealed FROM trading_configs WHERE organization_id = $1",
                                            [.uuid(f.organizationID)])?.string(0))
        #expect(sealed.hasPrefix("v1.test."))
        #expect(try f.keyring.open(sealed, context: "org:\(f.organizationID.uuidString.lowercased())/esmClientSecret") == secret)
        let rowsWithSecret = try f.row("SELECT count(*) FROM trading_configs t WHERE t::text LIKE '%' || $1 || '%'", [.text(secret)])
        #expect(try rowsWithSecret?.int(0) == 0)
        #expect(!f.logs.lines.isEmpty)
        #expect(!f.logs.lines.contains { $0.contains(secret) })

        // A partial update keeps the other fields.
        let partial = try await f.call("POST", "/config", body: #"{"esmClientId": "client-2"}"#)
        #expect(partial.object["esmClientId"] as? String == "client-2")
        #expect(partial.object["hasEsmCredentials"] as? Bool == true)
        #expect(partial.object["esmApiUrl"] as? String == TradingTestFixture.publicESMURL)
        // `{}` (the seed's example) changes nothing.
        #expect(try await f.call("POST", "/config", body: "{}").object["esmClientId"] as? String == "client-2")
    }

    @Test func everyViolationIsReportedAtOnce() async throws {
        let f = try TradingTestFixture()
        defer { f.tearDown() }
        let answer = try await f.call("POST", "/config", body: """
            {"esmApiUrl": "http://169.254.169.254/latest", "esmClientId": 7, "esmClientSecret": "", "queuePrefix": "Bad_Prefix", "colour": "red"}
            """)
        expectTradingError(answer, status: 400, code: "VALIDATION_ERROR")
        let fields = answer.violations.compactMap { $0["field"] as? String }
        #expect(Set(fields) == ["esmApiUrl", "esmClientId", "esmClientSecret", "queuePrefix", "colour"])
        let urlReason = answer.violationMessage("esmApiUrl")
        #expect(urlReason.contains("169.254.169.254"), "\(urlReason)")
        // Nothing was stored.
        #expect(try await f.call("GET", "/config").object["esmApiUrl"] is NSNull)
    }

    @Test(arguments: ["http://127.0.0.1/", "http://2130706433/", "http://[::1]:8080", "http://0x7f.1/", "http://10.0.0.5",
                      "http://[::ffff:127.0.0.1]/", "ftp://93.184.216.34/", "http://user@93.184.216.34/", "http://localhost:80",
                      "https://metadata.google.internal/", "not a url"])
    func hostileESMURLsAreRefused(url: String) async throws {
        let f = try TradingTestFixture()
        defer { f.tearDown() }
        let body = String(decoding: try JSONSerialization.data(withJSONObject: ["esmApiUrl": url]), as: UTF8.self)
        let answer = try await f.call("POST", "/config", body: body)
        expectTradingError(answer, status: 400, code: "VALIDATION_ERROR")
        #expect(answer.violations.first?["field"] as? String == "esmApiUrl")
    }

    @Test func bodyThatIsNotAnObjectIsAValidationError() async throws {
        let f = try TradingTestFixture()
        defer { f.tearDown() }
        expectTradingError(try await f.call("POST", "/config", body: "[1]"), status: 400, code: "VALIDATION_ERROR")
        expectTradingError(try await f.call("POST", "/config", body: "{bad"), status: 400, code: "VALIDATION_ERROR")
        expectTradingError(try await f.call("POST", "/config", body: nil), status: 400, code: "VALIDATION_ERROR")
    }

    @Test func queuePrefixRules() async throws {
        let f = try TradingTestFixture()
        defer { f.tearDown() }
        // Another organisation's prefix is taken.
        _ = try await f.call("GET", "/config", organization: f.otherOrganizationID)
        let taken = try await f.call("POST", "/config", body: #"{"queuePrefix": "\#(f.otherSlug)"}"#)
        expectTradingError(taken, status: 400, code: "VALIDATION_ERROR")
        #expect(taken.violationMessage("queuePrefix").contains("already used"))
        // Reserved names.
        for reserved in ["amq", "tradingd"] {
            let answer = try await f.call("POST", "/config", body: #"{"queuePrefix": "\#(reserved)"}"#)
            expectTradingError(answer, status: 400, code: "VALIDATION_ERROR")
        }
        let fresh = "t-" + UUID().uuidString.prefix(8).lowercased()
        let changed = try await f.call("POST", "/config", body: #"{"queuePrefix": "\#(fresh)"}"#)
        #expect(changed.status == 200)
        #expect(changed.object["queuePrefix"] as? String == fresh)
    }

    @Test func rolesAndAuthentication() async throws {
        let f = try TradingTestFixture()
        defer { f.tearDown() }
        expectTradingError(try await f.call("GET", "/config", role: nil), status: 401, code: "UNAUTHORIZED", message: "Unauthorized")
        expectTradingError(try await f.call("GET", "/connection-details", role: nil), status: 401, code: "UNAUTHORIZED")
        for role in [Principal.Role.viewer, .operator] {
            expectTradingError(try await f.call("POST", "/config", role: role, body: "{}"), status: 403, code: "FORBIDDEN", message: "Forbidden")
            expectTradingError(try await f.call("POST", "/config/enable", role: role), status: 403, code: "FORBIDDEN")
            expectTradingError(try await f.call("POST", "/config/disable", role: role), status: 403, code: "FORBIDDEN")
            expectTradingError(try await f.call("POST", "/connection-details/credentials", role: role), status: 403, code: "FORBIDDEN")
            #expect(try await f.call("GET", "/config", role: role).status == 200)
            #expect(try await f.call("GET", "/connection-details", role: role).status == 200)
        }
    }

    @Test func enableNeedsACompleteConfiguration() async throws {
        let f = try TradingTestFixture()
        defer { f.tearDown() }
        expectTradingError(try await f.call("POST", "/config/enable"), status: 400, code: "TRADING_CONFIG_INCOMPLETE",
                           message: "Config incomplete or ESM credentials not set")
        _ = try await f.call("POST", "/config", body: #"{"esmApiUrl": "\#(TradingTestFixture.publicESMURL)", "esmClientId": "c"}"#)
        expectTradingError(try await f.call("POST", "/config/enable"), status: 400, code: "TRADING_CONFIG_INCOMPLETE")
        #expect(f.runtime.events.isEmpty)
        #expect(try await f.call("GET", "/config").object["status"] as? String == "DISABLED")
    }

    @Test func connectionDetailsNameEveryQueueAndNoDaemonCredentials() async throws {
        let f = try TradingTestFixture()
        defer { f.tearDown() }
        // A service whose broker URL carries distinctive credentials (never contacted here).
        var settings = f.settings
        settings.amqpURL = try AMQPURL("amqp://daemon-user:Daemon-Pass-42@broker.example.net:5671/prod")
        let service = try TradingService(pool: f.pool, keyring: f.keyring, urlGuard: f.service.urlGuard, settings: settings,
                                         runtime: f.runtime, logger: .silent)
        let details = try TradingConfigAPI(service: service).connectionDetails(organizationID: f.organizationID)
        let text = String(decoding: try JSONEncoder().encode(details), as: UTF8.self)
        #expect(!text.contains("Daemon-Pass-42") && !text.contains("daemon-user"))
        guard case .object(let object) = details else { Issue.record("not an object"); return }
        #expect(object["host"] == "broker.example.net")
        #expect(object["port"] == 5671)
        #expect(object["vhost"] == "prod")

        let answer = try await f.call("GET", "/connection-details", role: .viewer)
        #expect(answer.status == 200)
        let body = answer.object
        #expect(Set(body.keys) == ["authInstructions", "authMethod", "exchange", "host", "port", "queuePrefix", "queues", "vhost"])
        #expect(body["exchange"] as? String == f.settings.exchange)
        #expect(body["vhost"] as? String == f.settings.amqpURL.virtualHost)
        #expect(body["port"] as? Int == f.settings.amqpURL.port)
        let queues = try #require(body["queues"] as? [[String: Any]])
        let expected = [("telemetry", "inbound"), ("meters", "inbound"), ("commands", "inbound"), ("command-acks", "inbound"),
                        ("events", "outbound")]
        #expect(queues.map { $0["name"] as? String } == expected.map { "\(f.slug).\($0.0)" })
        #expect(queues.map { $0["direction"] as? String } == expected.map(\.1))
        #expect(queues.map { $0["routingKey"] as? String } == queues.map { $0["name"] as? String })
        #expect(queues.allSatisfy { ($0["description"] as? String)?.isEmpty == false })
        let instructions = body["authInstructions"] as? String
        #expect(instructions?.contains("'\(f.slug)'") == true)
        #expect(!answer.text.contains(try AMQPURL(try TestServers.amqpURL).password + "@"))
    }
}
