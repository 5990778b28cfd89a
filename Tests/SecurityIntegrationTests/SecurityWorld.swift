import Accounts
import Foundation
import HTTPServer
import Observability
import Postgres
import TestSupport
@testable import Tradingd

/// The daemon's router (as `serve` builds it) over a fresh database with two organisations: the
/// `owner`, whose plant the paths name and whose tokens carry every role, and an `other` one.
/// Requests go through `router.respond` with no socket.
struct SecurityWorld {
    enum CredentialKind: Hashable, CustomStringConvertible {
        case none, malformed(String), unknown, revoked, expired, otherOrganization
        /// An admin token with every scope but this one.
        case missingScope(Principal.Scope)
        /// A token of this role with the `trading`, `purchase` and `loyalty` scopes.
        case role(Principal.Role)

        var description: String {
            switch self {
            case .none: "no token"
            case .malformed(let what): "a malformed header (\(what))"
            case .unknown: "an unknown token"
            case .revoked: "a revoked token"
            case .expired: "an expired token"
            case .otherOrganization: "another organisation's admin token"
            case .missingScope(let scope): "an admin token without the \(scope.rawValue) scope"
            case .role(let role): "a \(role.rawValue) token"
            }
        }
    }

    struct Credential {
        let kind: CredentialKind
        let header: String?
    }

    struct Answer {
        let status: Int
        let body: [UInt8]
        var text: String { String(decoding: body, as: UTF8.self) }
    }

    let databaseURL: String
    let application: Application
    let ownerID: UUID
    let plantID: UUID
    let credentials: [Credential]

    static func make() throws -> SecurityWorld {
        let databaseURL = try TestDatabase.fresh()
        let configuration = try Configuration.load(environment: [
            "TRADINGD_DATABASE_URL": databaseURL,
            "TRADINGD_AMQP_URL": try TestServers.amqpURL,
            "TRADINGD_AMQP_MANAGEMENT_URL": try TestServers.amqpManagementURL,
            "TRADINGD_SECRET_KEY": Data(repeating: 9, count: 32).base64EncodedString(),
            "TRADINGD_EXCHANGE": "security-\(UUID().uuidString.prefix(8).lowercased())",
        ])
        let application = try Application(configuration: configuration, logger: .silent)
        let connection = try PostgresConnection(url: databaseURL)
        let tokens = TokenStore()
        let ownerID = try tokens.createOrganization(slug: "owner", name: "Owner", on: connection)
        _ = try tokens.createOrganization(slug: "other", name: "Other", on: connection)
        let plantID = try connection.query("INSERT INTO plants (organization_id, name) VALUES ($1, 'owned') RETURNING id",
                                           [.uuid(ownerID)]).first!.uuid(0)
        func issue(_ slug: String, _ role: Principal.Role, _ scopes: [Principal.Scope]) throws -> TokenStore.IssuedToken {
            try tokens.createToken(organizationSlug: slug, role: role, scopes: scopes, expiresInDays: nil, on: connection)
        }
        let revoked = try issue("owner", .admin, Principal.Scope.allCases)
        try tokens.revoke(tokenID: revoked.id, on: connection)
        let expired = try issue("owner", .admin, Principal.Scope.allCases)
        _ = try connection.execute("UPDATE api_tokens SET expires_at = now() - interval '1 minute' WHERE id = $1", [.uuid(expired.id)])
        let unknown = "tdt_" + String(repeating: "ab", count: 32)
        var credentials: [Credential] = [
            Credential(kind: .none, header: nil),
            Credential(kind: .malformed("Basic"), header: "Basic b3duZXI6b3duZXI="),
            Credential(kind: .malformed("empty Bearer"), header: "Bearer "),
            Credential(kind: .malformed("no tdt_ prefix"), header: "Bearer " + String(repeating: "a", count: 68)),
            Credential(kind: .malformed("short"), header: "Bearer tdt_abc"),
            Credential(kind: .malformed("two tokens"), header: "Bearer \(unknown) \(unknown)"),
            Credential(kind: .malformed("SQL"), header: "Bearer tdt_' OR '1'='1"),
            Credential(kind: .unknown, header: "Bearer \(unknown)"),
            Credential(kind: .revoked, header: "Bearer \(revoked.token)"),
            Credential(kind: .expired, header: "Bearer \(expired.token)"),
            Credential(kind: .otherOrganization, header: "Bearer \(try issue("other", .admin, Principal.Scope.allCases).token)"),
        ]
        for scope in [Principal.Scope.trading, .purchase, .loyalty] {
            let others = Principal.Scope.allCases.filter { $0 != scope }
            credentials.append(Credential(kind: .missingScope(scope), header: "Bearer \(try issue("owner", .admin, others).token)"))
        }
        for role in Principal.Role.allCases {
            credentials.append(Credential(kind: .role(role), header: "Bearer \(try issue("owner", role, [.trading, .purchase, .loyalty]).token)"))
        }
        return SecurityWorld(databaseURL: databaseURL, application: application, ownerID: ownerID, plantID: plantID,
                             credentials: credentials)
    }

    func close() { try? TestDatabase.drop(databaseURL) }

    /// `pattern` with the owner's plant for `{plantId}` and a fresh UUID for any other parameter.
    func path(for pattern: String) -> String {
        pattern.split(separator: "/", omittingEmptySubsequences: false).map { segment in
            guard segment.hasPrefix("{") else { return String(segment) }
            return segment == "{plantId}" ? plantID.uuidString.lowercased() : UUID().uuidString.lowercased()
        }.joined(separator: "/")
    }

    func send(_ method: String, _ path: String, authorization: String?, body: [UInt8] = [], query: String? = nil) -> Answer {
        var headers: HTTPHeaders = ["Content-Type": "application/json"]
        if let authorization { headers.set("Authorization", authorization) }
        let request = Request(method: method, path: path, headers: headers, body: body)
        let response = application.router.respond(to: request, rawQuery: query).response
        return Answer(status: response.status, body: response.body)
    }

    /// A digest of every row of the owner's: each table with an `organization_id` column, and
    /// each with a `plant_id` column through the owner's plants (so new families' tables count too).
    /// Token rows are left out: they change when they are used (last use), and used they are.
    func victimSnapshot() throws -> String {
        let connection = try PostgresConnection(url: databaseURL)
        let tables = try connection.query("""
            SELECT table_name, string_agg(column_name, ',') FROM information_schema.columns
            WHERE table_schema = 'public' AND column_name IN ('organization_id', 'plant_id') AND table_name <> 'api_tokens'
              AND table_name IN (SELECT tablename FROM pg_tables WHERE schemaname = 'public')
            GROUP BY table_name ORDER BY table_name
            """).map { (try $0.string(0), try $0.string(1)) }
        var digest: [String] = []
        for (table, columns) in tables {
            let quoted = try PostgresConnection.quoteIdentifier(table)
            let filter = columns.contains("organization_id") ? "organization_id = $1"
                : "plant_id IN (SELECT id FROM plants WHERE organization_id = $1)"
            let row = try connection.query("SELECT count(*)::text || ':' || "
                                            + "coalesce(md5(string_agg(t::text, '|' ORDER BY t::text)), '') FROM \(quoted) t WHERE \(filter)",
                                            [.uuid(ownerID)]).first!
            digest.append("\(table)=\(try row.string(0))")
        }
        return digest.joined(separator: " ")
    }
}
