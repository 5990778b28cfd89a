import AMQP
import Crypto
import ESM
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import HTTPServer
import Observability
import Postgres
import Synchronization
import TestSupport
import Testing
@testable import API
import Accounts
import Domain
import JSON
@testable import Trading
@testable import TradingAPI
@testable import Tradingd

/// Records what enable/disable told the daemon.
final class RecordingRuntime: TradingRuntime {
    enum Event: Equatable {
        case enabled(UUID, String)
        case disabled(UUID, String)
    }

    private let storage = Mutex<[Event]>([])
    var events: [Event] { storage.withLock { $0 } }

    func organizationEnabled(organizationID: UUID, queuePrefix: String) throws {
        storage.withLock { $0.append(.enabled(organizationID, queuePrefix)) }
    }

    func organizationDisabled(organizationID: UUID, queuePrefix: String) throws {
        storage.withLock { $0.append(.disabled(organizationID, queuePrefix)) }
    }
}

/// A migrated database with two organisations, the trading API served by a real `HTTPServer` on
/// a free port, the real test broker under an exchange of its own, a recording runtime and a
/// captured log. Callers authenticate with `X-Test-Principal: <organization id> <role> <token id>` (the test
/// stand-in for the bearer middleware).
final class TradingTestFixture: @unchecked Sendable {
    let databaseURL: String
    let pool: PostgresPool
    let organizationID: UUID
    let otherOrganizationID: UUID
    let slug: String
    let otherSlug: String
    let keyring: Keyring
    let settings: TradingSettings
    let runtime = RecordingRuntime()
    let logs = LogCapture()
    let service: TradingService
    let esmClients: OrganizationESMClients
    let plantSync: PlantSyncService
    let plantConfig: PlantConfigService
    /// The token id every test request carries (`requestedBy` in the config log).
    let tokenID = UUID()
    let server: HTTPServer
    let port: Int
    let management: RabbitManagementClient

    /// A public IP literal: passes the URL guard without DNS.
    static let publicESMURL = "https://93.184.216.34/esm"

    init(privateAllowList: String = "", adjust: (inout TradingSettings) -> Void = { _ in }) throws {
        databaseURL = try TestDatabase.fresh()
        pool = PostgresPool(url: databaseURL, size: 4)
        let slug = "t-" + UUID().uuidString.prefix(8).lowercased(), otherSlug = "t-" + UUID().uuidString.prefix(8).lowercased()
        self.slug = slug
        self.otherSlug = otherSlug
        organizationID = try pool.withConnection { connection in
            try connection.query("INSERT INTO organizations (slug, name) VALUES ($1, 'Trading test') RETURNING id", [.text(slug)])[0].uuid(0)
        }
        otherOrganizationID = try pool.withConnection { connection in
            try connection.query("INSERT INTO organizations (slug, name) VALUES ($1, 'Other') RETURNING id", [.text(otherSlug)])[0].uuid(0)
        }
        keyring = try Keyring(current: "test", keys: ["test": try SecureRandom.bytes(count: 32)])
        let unique = UUID().uuidString.prefix(8).lowercased()
        var settings = TradingSettings(amqpURL: try AMQPURL(try TestServers.amqpURL), managementURL: try TestServers.amqpManagementURL,
                                       exchange: "test.trading.\(unique)", deadLetterExchange: "test.trading.\(unique).dlx")
        settings.esmConnectTimeout = .seconds(1)
        settings.esmRequestTimeout = .milliseconds(800)
        settings.esmMaxAttempts = 2
        adjust(&settings)
        self.settings = settings
        management = try RabbitManagementClient(url: settings.managementURL)
        let logger = Logger(level: .debug, sink: logs.sink)
        let urlGuard = try OutboundURLGuard(privateAllowList: privateAllowList)
        service = try TradingService(pool: pool, keyring: keyring, urlGuard: urlGuard, settings: settings, runtime: runtime, logger: logger)
        esmClients = OrganizationESMClients(keyring: keyring, urlGuard: urlGuard, settings: settings, logger: logger)
        plantSync = PlantSyncService(pool: pool, clients: esmClients, logger: logger)
        plantConfig = PlantConfigService(pool: pool, clients: esmClients, logger: logger)
        var router = Router()
        let configAPI = TradingConfigAPI(service: service)
        let plantsAPI = PlantsAPI(pool: pool, sync: plantSync)
        let plantConfigAPI = PlantConfigAPI(service: plantConfig)
        router.group("/api/v1/trading", renderer: TradingEnvelope(), middleware: [Self.testAuthentication]) { group in
            configAPI.register(on: &group, prefix: "")
            plantsAPI.register(on: &group, prefix: "")
            plantConfigAPI.register(on: &group, prefix: "")
        }
        server = HTTPServer(configuration: HTTPServerConfiguration(host: "127.0.0.1", port: 0, eventLoopCount: 1, workerCount: 4),
                            router: router)
        port = try server.start()
    }

    /// Stops the server and removes what enabling made on the shared broker (best effort).
    func tearDown() {
        for organization in [organizationID, otherOrganizationID] {
            _ = try? service.disable(organizationID: organization)
        }
        if let connection = try? AMQPConnection(url: settings.amqpURL), let channel = try? connection.openChannel() {
            try? channel.deleteExchange(settings.exchange)
            try? channel.deleteExchange(settings.deadLetterExchange)
            connection.close()
        }
        server.stop(grace: .seconds(1))
        pool.close()
    }

    static let testAuthentication = ClosureMiddleware { request, next in
        guard let header = request.headers["X-Test-Principal"] else { throw DomainError.unauthenticated }
        let parts = header.split(separator: " ")
        guard parts.count == 3, let organization = UUID(uuidString: String(parts[0])),
              let role = Principal.Role(rawValue: String(parts[1])), let token = UUID(uuidString: String(parts[2])) else {
            throw DomainError.unauthenticated
        }
        var request = request
        request.attributes[PrincipalKey.self] = Principal(tokenID: token, organizationID: organization, organizationSlug: "",
                                                          role: role, scopes: [.trading])
        return try next(request)
    }

    // MARK: HTTP

    struct Answer {
        let status: Int
        let body: Data
        let headers: [String: String]

        var text: String { String(decoding: body, as: UTF8.self) }
        var object: [String: Any] { (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] ?? [:] }
        var code: String? { object["code"] as? String }
        var violations: [[String: Any]] { (object["details"] as? [String: Any])?["violations"] as? [[String: Any]] ?? [] }
        /// The message of the first violation of `field`, "" when none.
        func violationMessage(_ field: String) -> String {
            let message = violations.first { $0["field"] as? String == field }?["message"] as? String
            return message ?? ""
        }
    }

    /// Sends a request through the real listener; `role` nil sends no principal.
    func call(_ method: String, _ path: String, role: Principal.Role? = .admin, organization: UUID? = nil,
              body: String? = nil) async throws -> Answer {
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)/api/v1/trading\(path)")!)
        request.httpMethod = method
        request.timeoutInterval = 60
        if let role {
            request.setValue("\((organization ?? organizationID).uuidString) \(role.rawValue) \(tokenID.uuidString)",
                             forHTTPHeaderField: "X-Test-Principal")
        }
        if let body {
            request.httpBody = Data(body.utf8)
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        let (data, response) = try await URLSession.shared.data(for: request)
        let http = try #require(response as? HTTPURLResponse)
        var headers: [String: String] = [:]
        for (key, value) in http.allHeaderFields {
            if let key = key as? String, let value = value as? String { headers[key.lowercased()] = value }
        }
        return Answer(status: http.statusCode, body: data, headers: headers)
    }

    /// Sets a complete configuration (URL, client id, secret) for the fixture's organisation.
    @discardableResult
    func configure(url: String = TradingTestFixture.publicESMURL, clientID: String = "client-1",
                   secret: String = "esm-secret") async throws -> Answer {
        let body = try JSONSerialization.data(withJSONObject: ["esmApiUrl": url, "esmClientId": clientID, "esmClientSecret": secret])
        return try await call("POST", "/config", body: String(decoding: body, as: UTF8.self))
    }

    func row(_ sql: String, _ parameters: [PostgresValue] = []) throws -> PostgresRow? {
        try pool.withConnection { try $0.query(sql, parameters).singleRow() }
    }
}

/// Expects the seed's error envelope with the real status.
func expectTradingError(_ answer: TradingTestFixture.Answer, status: Int, code: String, message: String? = nil,
                        sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(answer.status == status, "\(answer.text)", sourceLocation: sourceLocation)
    let object = answer.object
    #expect(Set(object.keys) == ["code", "details", "error", "message", "statusCode"], sourceLocation: sourceLocation)
    #expect(object["code"] as? String == code, "\(answer.text)", sourceLocation: sourceLocation)
    #expect(object["statusCode"] as? Int == status, sourceLocation: sourceLocation)
    #expect(object["error"] as? String == HTTPStatus.reasonPhrase(status), sourceLocation: sourceLocation)
    #expect(object["details"] is [String: Any], sourceLocation: sourceLocation)
    if let message { #expect(object["message"] as? String == message, sourceLocation: sourceLocation) }
}

/// A stand-in for the bearer middleware: the caller's organisation from `X-Test-Org` (a viewer);
/// without the header, `missing` is thrown.
func testOrganizationHeader(missing: any Error & Sendable) -> ClosureMiddleware {
    ClosureMiddleware { request, next in
        guard let text = request.headers["X-Test-Org"], let id = UUID(uuidString: text) else { throw missing }
        var request = request
        request.attributes[PrincipalKey.self] = Principal(tokenID: UUID(), organizationID: id, organizationSlug: "", role: .viewer,
                                                          scopes: [.trading])
        return try next(request)
    }
}
