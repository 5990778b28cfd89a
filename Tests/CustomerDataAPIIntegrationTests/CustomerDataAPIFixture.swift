import API
import Accounts
import CustomerData
import CustomerDataAPI
import CustomerDataStores
import ExactJSON
import Foundation
import HTTPServer
import Postgres
import TestSupport
import Users

/// Both customer-data families on a router (no socket) over a fresh database: one organisation
/// with Example 1's reference data, a user, a `loyalty` token, a `trading`-only token and the
/// seed's API key.
struct CustomerDataAPIFixture {
    static let seedAPIKey = "8c54d563-b991-4b76-8a83-557c08166f95"

    let url: String
    let pool: PostgresPool
    let router: Router
    let organization: UUID
    let otherOrganization: UUID
    let loyaltyToken: String
    let tradingToken: String
    let user: User
    let apiKeyID: UUID

    /// - Parameter eventTokens: the event endpoints' token cache (none: every token looked up).
    init(settings: CustomerEventRoutes.Settings = .init(), eventTokens: CustomerEventTokenCache? = nil) throws {
        url = try TestDatabase.fresh()
        pool = PostgresPool(url: url, size: 8)
        let connection = try PostgresConnection(url: url)
        let tokens = TokenStore()
        organization = try tokens.createOrganization(slug: "tiendas", name: "Tiendas", on: connection)
        otherOrganization = try tokens.createOrganization(slug: "otra", name: "Otra", on: connection)
        loyaltyToken = try tokens.createToken(organizationSlug: "tiendas", role: .operator, scopes: [.loyalty], expiresInDays: nil,
                                              on: connection).token
        tradingToken = try tokens.createToken(organizationSlug: "tiendas", role: .admin, scopes: [.trading], expiresInDays: nil,
                                              on: connection).token
        user = try UserStore().create(UserImportRecord(username: "trebolenergia", changes: [
            .name: .text("Ana"), .lastname: .text("Díaz"), .businessName: .text("Tienda La 14"), .quota: .decimal(1_500_000),
            .phone: .text("+57 300 000 0000"), .email: .text("ana@example.co"), .nit: .text("900373923-8"), .score: .decimal(4.5),
        ]), organizationID: organization, on: connection)
        let data = try ReferenceData.parse(Array(Self.referenceData.utf8))
        _ = try ReferenceDataStore().importData(data, organizationID: organization, on: connection)
        apiKeyID = try CustomerEventAuthStore().createKey(organizationID: organization, label: "seed", key: Self.seedAPIKey,
                                                          on: connection).id
        var router = Router()
        let authenticator = Authenticator(pool: pool, cacheLifetime: .zero)
        SalesHistoryRoutes(pool: pool, authentication: SalesHistoryRoutes.authentication(authenticator)).register(on: &router)
        CustomerEventRoutes(pool: pool, settings: settings, authentication: CustomerEventAuthentication(pool: pool, tokens: eventTokens))
            .register(on: &router)
        self.router = router
    }

    static let referenceData = """
        {"currencies": ["EUR"],
         "business_units": [{"code": "EK123456"}, {"code": "CD123456", "parent": "EK123456"}],
         "classifications": [{"code": "CCC"}], "products": [{"sku": "FREDESPR001"}],
         "contacts": [{"code": "C-1", "accounts": [{"number": "A-1", "primary": true}], "cims": ["4A30966F684B0269AD91"]}]}
        """

    /// One request through the router: status, JSON body (nil when not JSON) and the raw body.
    struct Answer {
        let status: Int
        let json: ExactJSON?
        let text: String
        var object: JSONObject? { json?.objectValue }
        var error: String? { object?["error"]?.stringValue }
    }

    func call(_ method: String, _ target: String, headers: HTTPHeaders = [:], body: String = "") -> Answer {
        let parts = target.split(separator: "?", maxSplits: 1).map(String.init)
        let request = Request(method: method, path: parts[0], headers: headers, body: Array(body.utf8))
        let response = router.respond(to: request, rawQuery: parts.count > 1 ? parts[1] : nil).response
        let text = String(decoding: response.body, as: UTF8.self)
        return Answer(status: response.status, json: try? ExactJSON.parse(response.body), text: text)
    }

    func bearer(_ token: String) -> HTTPHeaders { ["Authorization": "Bearer \(token)", "Content-Type": "application/json"] }

    /// An auth token for the seed's API key, from the token endpoint.
    func eventToken() throws -> String {
        let answer = call("POST", "/customer_events/token", headers: ["api_key": Self.seedAPIKey])
        guard answer.status == 201, let token = answer.object?["token"]?.stringValue else {
            throw PostgresError(code: .server, message: "no auth token: \(answer.status) \(answer.text)")
        }
        return token
    }

    func scalar(_ sql: String) throws -> Int {
        try pool.withConnection { try $0.query(sql)[0].int(0) }
    }
}
