import Accounts
import Foundation

/// Who may call what: one entry per route the daemon registers (the matrix fails for a route
/// without one). A family's routes need its scope; `minimumRole` is what the handler requires.
enum AuthorizationPolicy {
    enum Family {
        /// No credentials needed, none refused: probes and the API document.
        case open
        /// `/api/v1/trading`: scope `trading`, the trading envelope.
        case trading
        /// The vend family (seed 001): its own `api_token`s from login, never an organisation's
        /// token; 401 `{"message": "Unauthenticated."}`.
        case vend
        /// The vend family's login routes: credentials in the body, no token needed or read.
        case vendLogin
        /// `/api/v0/user` (seed 000): scope `purchase`; 401 and 403 as `{"detail": "..."}`.
        case purchases
        /// The status page and its login: the session is a cookie, so an `Authorization` header
        /// changes nothing (every credential gets the answer of none).
        case statusPage
        /// Seed 002's sales history and users: scope `loyalty`, any role; `{"error": "..."}`.
        case loyalty
        /// Seed 003's customer events: an `api_key` header buys the family's own auth tokens, so no
        /// organisation token is accepted anywhere (401 `{"error": "..."}`).
        case customerEvents

        /// The scope a family's tokens need, if any.
        var scope: Principal.Scope? {
            switch self {
            case .trading: .trading
            case .purchases: .purchase
            case .loyalty: .loyalty
            case .open, .vend, .vendLogin, .statusPage, .customerEvents: nil
            }
        }

        /// What is wrong with an error answer's body for this family's envelope, or nil.
        func envelopeProblem(_ answer: SecurityWorld.Answer, status: Int) -> String? {
            if answer.status != status { return "status \(answer.status), expected \(status)" }
            guard let object = (try? JSONSerialization.jsonObject(with: Data(answer.body))) as? [String: Any] else {
                return "the body is not a JSON object"
            }
            switch self {
            case .open, .vendLogin, .statusPage:
                return nil
            case .purchases:
                guard status == 401 || status == 403 else { return nil }
                return (object["detail"] as? String ?? "").isEmpty ? "\(status) body \(object)" : nil
            case .loyalty, .customerEvents:
                return Set(object.keys) == ["error"] && !(object["error"] as? String ?? "").isEmpty ? nil : "\(status) body \(object)"
            case .vend:
                return status == 401 && object as NSDictionary != ["message": "Unauthenticated."] as NSDictionary
                    ? "401 body \(object)" : nil
            case .trading:
                let keys = Set(object.keys)
                guard keys == ["code", "details", "error", "message", "statusCode"] else { return "envelope keys \(keys.sorted())" }
                guard object["statusCode"] as? Int == status else { return "statusCode \(String(describing: object["statusCode"]))" }
                let code = object["code"] as? String
                if status == 401 && code != "UNAUTHORIZED" { return "code \(code ?? "nil") for 401" }
                if status == 403 && code != "FORBIDDEN" { return "code \(code ?? "nil") for 403" }
                return (object["message"] as? String ?? "").isEmpty ? "an empty message" : nil
            }
        }
    }

    struct Rule {
        let family: Family
        let minimumRole: Principal.Role?
        let namesAResource: Bool

        func expectation(for credential: SecurityWorld.CredentialKind) -> Expectation {
            switch family {
            case .open, .vendLogin: return .allowed
            case .statusPage: return .sameAsWithoutCredentials
            case .vend: return .status(401)  // no organisation token is a vend api_token
            case .customerEvents: return .status(401)  // nor a customer-events auth token
            case .trading, .purchases, .loyalty: break
            }
            switch credential {
            case .none, .malformed, .unknown, .revoked, .expired: return .status(401)
            case .missingScope(let scope): return scope == family.scope ? .status(403) : .allowed
            case .otherOrganization: return .notFoundOrOwn
            case .role(let role): return role >= (minimumRole ?? .viewer) ? .allowed : .status(403)
            }
        }
    }

    enum Expectation { case status(Int), allowed, notFoundOrOwn, sameAsWithoutCredentials }

    static let open: Set<String> = ["GET /healthz", "GET /readyz", "GET /metrics", "GET /openapi.json"]

    /// The trading routes that need more than `viewer` (DESIGN §5, the handlers' `require`).
    static let tradingRoles: [String: Principal.Role] = [
        "POST /api/v1/trading/config": .admin,
        "POST /api/v1/trading/config/enable": .admin,
        "POST /api/v1/trading/config/disable": .admin,
        "POST /api/v1/trading/connection-details/credentials": .admin,
        "POST /api/v1/trading/plants/sync": .operator,
        "PUT /api/v1/trading/plants/{plantId}/config": .operator,
        "POST /api/v1/trading/plants/{plantId}/config": .operator,
        "POST /api/v1/trading/plants/{plantId}/config/validate": .operator,
    ]

    /// The trading routes a viewer may call.
    static let tradingViewer: Set<String> = [
        "GET /api/v1/trading/config",
        "GET /api/v1/trading/connection-details",
        "GET /api/v1/trading/plants",
        "GET /api/v1/trading/plants/{plantId}/telemetry",
        "GET /api/v1/trading/plants/{plantId}/telemetry/latest",
        "GET /api/v1/trading/plants/{plantId}/meters",
        "GET /api/v1/trading/plants/{plantId}/command-log",
        "GET /api/v1/trading/plants/{plantId}/config",
        "GET /api/v1/trading/plants/{plantId}/config-log",
    ]

    /// The vend family's routes (seed 001), by whether they need a vend `api_token`.
    static let vendLogin: Set<String> = ["POST /api/auth/login", "POST /api/electricity/verify-customer"]
    static let vendAuthenticated: Set<String> = [
        "POST /api/electricity/purchase-production", "POST /api/buyelectricityprod",
        "GET /api/transactions", "GET /api/transactions/transaction-id/{transID}",
    ]

    /// The status page's routes (cookie sessions).
    static let statusPage: Set<String> = ["GET /", "GET /login", "POST /login", "POST /logout"]

    /// The purchase family's routes (seed 000) and the role each needs.
    static let purchaseRoles: [String: Principal.Role] = [
        "POST /api/v0/user/{user}/submit-purchase/{retailer}": .operator,
        "POST /api/v0/user/{user}/submit-purchase": .operator,
        "GET /api/v0/user/{user}/purchases/{id}": .viewer,
        "GET /api/v0/user/{user}/purchases": .viewer,
    ]

    /// The customer-data families (seeds 002 and 003).
    static let loyalty: Set<String> = ["POST /update-user-sales-history", "GET /users/{id}"]
    static let customerEvents: Set<String> = [
        "POST /customer_events/token", "POST /customer_events/purchases",
        "GET /customer_events/purchases", "GET /customer_events/purchases/{id}",
    ]

    static func rule(method: String, pattern: String) -> Rule? {
        let key = "\(method) \(pattern)"
        if open.contains(key) { return Rule(family: .open, minimumRole: nil, namesAResource: false) }
        if statusPage.contains(key) { return Rule(family: .statusPage, minimumRole: nil, namesAResource: false) }
        // Reads answer 404 for another organisation's user; a submission names it in a 400 ("Unknown user").
        if let role = purchaseRoles[key] { return Rule(family: .purchases, minimumRole: role, namesAResource: method == "GET") }
        if loyalty.contains(key) { return Rule(family: .loyalty, minimumRole: .viewer, namesAResource: pattern.hasSuffix("}")) }
        if customerEvents.contains(key) { return Rule(family: .customerEvents, minimumRole: nil, namesAResource: false) }
        if vendLogin.contains(key) { return Rule(family: .vendLogin, minimumRole: nil, namesAResource: false) }
        if vendAuthenticated.contains(key) { return Rule(family: .vend, minimumRole: nil, namesAResource: pattern.contains("{")) }
        let names = pattern.contains("{")
        if let role = tradingRoles[key] { return Rule(family: .trading, minimumRole: role, namesAResource: names) }
        if tradingViewer.contains(key) { return Rule(family: .trading, minimumRole: .viewer, namesAResource: names) }
        return nil
    }
}
