import API
import Accounts
import ArgoSimulator
import Foundation
import HTTPServer
import JSON
import OutboundHTTP
import Postgres
import PurchaseCore
import Purchases
import PurchasesAPI
import TestSupport

/// The purchase API on a real listener (port 0) over a fresh database: an organisation with the
/// user `trebolenergia` and the Madrid retailer `123`, tokens, and a client that calls it.
final class PurchasesAPIFixture: @unchecked Sendable {
    // @unchecked Sendable: `connection` is used by the test's own thread only; `call` uses the
    // thread-safe client.
    let url: String
    let connection: PostgresConnection
    let pool: PostgresPool
    let organization: UUID
    let userID: UUID
    let server: HTTPServer
    let port: Int
    let client: OutboundHTTPClient
    let tokens = TokenStore()
    /// An operator token of the organisation with the purchase scope.
    let token: String
    private(set) var dispatcher: PurchaseDispatcher?

    init(dispatchTo engine: (any WorkflowEngine)? = nil, maximumRows: Int = 40_000) throws {
        let url = try TestDatabase.fresh()
        self.url = url
        connection = try PostgresConnection(url: url)
        pool = PostgresPool(url: url, size: 8)
        organization = try tokens.createOrganization(slug: "trebol", name: "Trébol", on: connection)
        userID = try Self.makeUser("trebolenergia", organization: organization, on: connection)
        _ = try RetailerStore().create(NewRetailer(externalID: "123", name: "Comercializadora", timeZone: "Europe/Madrid"),
                                       organizationID: organization, on: connection)
        token = try tokens.createToken(organizationSlug: "trebol", role: .operator, scopes: [.purchase], expiresInDays: nil,
                                       on: connection).token
        let dispatcher = engine.map { PurchaseDispatcher(databaseURL: url, engine: $0, options: Self.quickDispatch, log: .silent) }
        self.dispatcher = dispatcher
        let service = PurchaseService(pool: pool, maximumRows: maximumRows, onStored: { _ in dispatcher?.wake() })
        let routes = PurchaseRoutes(service: service, authentication: PurchasesAuthentication.middleware(
            authenticator: Authenticator(pool: pool, cacheLifetime: .zero)))
        var router = Router()
        routes.register(on: &router)
        var limits = ServerLimits()
        limits.maxBodyBytes = 8 << 20
        server = HTTPServer(configuration: HTTPServerConfiguration(host: "127.0.0.1", port: 0, workerCount: 16, limits: limits),
                            router: router)
        port = try server.start()
        client = OutboundHTTPClient(urlGuard: try OutboundURLGuard(privateAllowList: "127.0.0.1:\(port)"), maxResponseBytes: 8 << 20)
        dispatcher?.start()
    }

    deinit {
        dispatcher?.requestStop()
        dispatcher?.waitUntilFinished(timeout: .seconds(10))
        server.stop(grace: .seconds(1))
        pool.close()
    }

    static var quickDispatch: PurchaseDispatchOptions {
        var options = PurchaseDispatchOptions()
        options.idlePoll = .milliseconds(50)
        options.retryInitial = .milliseconds(50)
        options.retryMaximum = .milliseconds(500)
        return options
    }

    static func makeUser(_ username: String, organization: UUID, on connection: PostgresConnection) throws -> UUID {
        try connection.query("INSERT INTO users (organization_id, username) VALUES ($1, $2) RETURNING id",
                             [.uuid(organization), .text(username)])[0].uuid(0)
    }

    struct Answer {
        let status: Int
        let headers: [(name: String, value: String)]
        let body: [UInt8]
        var text: String { String(decoding: body, as: UTF8.self) }
        var json: JSONValue? { try? JSONDecoder().decode(JSONValue.self, from: Data(body)) }
        func header(_ name: String) -> String? { headers.first { $0.name.lowercased() == name.lowercased() }?.value }
        /// `{"error": m}` or `{"detail": m}`: the one key and its message.
        var message: (key: String, text: String)? {
            guard case .object(let object) = json, object.count == 1, let (key, value) = object.first,
                  case .string(let text) = value else { return nil }
            return (key, text)
        }
    }

    func call(_ method: String, _ path: String, body: String = "", authorization: String?? = .none) throws -> Answer {
        var headers: [(name: String, value: String)] = [(name: "Content-Type", value: "application/json")]
        switch authorization {
        case .none: headers.append((name: "Authorization", value: "Bearer \(token)"))
        case .some(.some(let value)): headers.append((name: "Authorization", value: value))
        case .some(.none): break
        }
        let response = try client.send(HTTPClientRequest(method: method, scheme: "http", host: "127.0.0.1", port: port, path: path,
                                                         headers: headers, body: Array(body.utf8)),
                                       timeouts: .init(connect: .seconds(5), request: .seconds(60)))
        return Answer(status: response.status, headers: response.headers, body: response.body)
    }

    /// The seed's example body.
    static let seedExample = """
        { "purchase": [ { "datetime": "2025-11-11 00:15", "purchase": 12.0 }, { "datetime": "2025-11-11 00:30", "purchase": 13.0 } ] }
        """
}
