import Foundation
import OutboundHTTP
import Postgres
import TestSupport
import Testing

/// The status page of the real `tradingd` binary: signing in through the login form, and what a
/// viewer of one organisation sees of its vend, purchase and customer event activity (never another's), checked
/// against figures computed here from the rows the test stores.
@Suite struct StatusPageDaemonTests {
    /// One site's cookies, kept by name as a browser keeps them; redirects are not followed.
    final class Session {
        let port: Int
        let client: OutboundHTTPClient
        var cookies: [String: String] = [:]

        init(port: Int) throws {
            self.port = port
            client = OutboundHTTPClient(urlGuard: try OutboundURLGuard(privateAllowList: "127.0.0.1:\(port)"))
        }

        func send(_ method: String, _ path: String, form: [(String, String)]? = nil) throws -> HTTPClientResponse {
            var headers: [(name: String, value: String)] = []
            if !cookies.isEmpty {
                headers.append(("Cookie", cookies.map { "\($0.key)=\($0.value)" }.sorted().joined(separator: "; ")))
            }
            var body: [UInt8] = []
            if let form {
                headers.append(("Content-Type", "application/x-www-form-urlencoded"))
                let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-._~"))
                body = Array(form.map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")" }
                    .joined(separator: "&").utf8)
            }
            let response = try client.send(HTTPClientRequest(method: method, scheme: "http", host: "127.0.0.1", port: port,
                                                             path: path, headers: headers, body: body))
            for header in response.headers where header.name.lowercased() == "set-cookie" {
                let pair = header.value.split(separator: ";", maxSplits: 1)[0].split(separator: "=", maxSplits: 1)
                let name = String(pair[0]), value = pair.count > 1 ? String(pair[1]) : ""
                cookies[name] = value.isEmpty || header.value.contains("Max-Age=0") ? nil : value
            }
            return response
        }

        /// The login form, then its post with `token`; the form's answer.
        func signIn(token: String) throws -> HTTPClientResponse {
            #expect(try send("GET", "/login").status == 200)
            let csrf = try #require(cookies["tradingd_csrf"])
            return try send("POST", "/login", form: [("token", token), ("csrf", csrf)])
        }
    }

    struct VendFixture {
        let transID: String
        let status: String
        let amount: Int
        let hoursAgo: Int
    }

    struct PurchaseFixture {
        let status: String
        let rows: Int
        let hoursAgo: Int
        let error: String
    }

    struct EventFixture {
        let reference: String
        let currency: String
        let total: String
        let hoursAgo: Int
    }

    static let vend = [
        VendFixture(transID: "ACME-1", status: "success", amount: 50, hoursAgo: 1),
        VendFixture(transID: "ACME-2", status: "success", amount: 20, hoursAgo: 2),
        VendFixture(transID: "ACME-3", status: "failed", amount: 10, hoursAgo: 3),
        VendFixture(transID: "ACME-4", status: "unknown", amount: 5, hoursAgo: 4),
        VendFixture(transID: "ACME-5", status: "pending", amount: 7, hoursAgo: 0),
        VendFixture(transID: "ACME-OLD", status: "success", amount: 100, hoursAgo: 30),
    ]

    static let purchases = [
        PurchaseFixture(status: "pending", rows: 96, hoursAgo: 0, error: ""),
        PurchaseFixture(status: "pending", rows: 92, hoursAgo: 1, error: "argo: 503, retried"),
        PurchaseFixture(status: "completed", rows: 4, hoursAgo: 2, error: ""),
        PurchaseFixture(status: "failed", rows: 2, hoursAgo: 5, error: "the workflow failed: step refused"),
        PurchaseFixture(status: "completed", rows: 24, hoursAgo: 40, error: ""),
    ]

    static let customerEvents = [
        EventFixture(reference: "EV-1", currency: "EUR", total: "12.50", hoursAgo: 1),
        EventFixture(reference: "EV-2", currency: "COP", total: "8000", hoursAgo: 3),
        EventFixture(reference: "EV-3", currency: "EUR", total: "2.25", hoursAgo: 4),
        EventFixture(reference: "EV-OLD", currency: "EUR", total: "40", hoursAgo: 30),
    ]

    /// One contact with its primary account and a merchant, and `fixtures` as that contact's events.
    static func storeCustomerEvents(_ fixtures: [EventFixture], organization: String, databaseURL: String) throws {
        try TestSQL.execute(databaseURL, """
            WITH contact AS (INSERT INTO loyalty_contacts (organization_id, code) VALUES ('\(organization)', 'C-1') RETURNING id)
            INSERT INTO loyalty_accounts (contact_id, number, is_primary) SELECT id, 'ACC-1', true FROM contact
            """)
        try TestSQL.execute(databaseURL, "INSERT INTO loyalty_business_units (organization_id, code) VALUES ('\(organization)', 'M-1')")
        for fixture in fixtures {
            try TestSQL.execute(databaseURL, """
                INSERT INTO purchase_customer_events (organization_id, id, reference_number, contact_id, account_id, currency_code,
                                                      performed_on, merchant_id, total_amount, request)
                SELECT '\(organization)', gen_random_uuid(), '\(fixture.reference)', c.id, a.id, '\(fixture.currency)',
                       now() - interval '\(fixture.hoursAgo) hours', m.id, \(fixture.total), '{}'::jsonb
                FROM loyalty_contacts AS c JOIN loyalty_accounts AS a ON a.contact_id = c.id
                JOIN loyalty_business_units AS m ON m.organization_id = c.organization_id
                WHERE c.organization_id = '\(organization)'
                """)
        }
    }

    static func storeVend(_ fixtures: [VendFixture], organization: String, email: String, databaseURL: String) throws {
        try TestSQL.execute(databaseURL, """
            INSERT INTO vend_users (organization_id, email, name, password_hash)
            VALUES ('\(organization)', '\(email)', 'Agent', '$pbkdf2-sha256$fixture')
            """)
        for fixture in fixtures {
            let settled = fixture.status == "success" || fixture.status == "failed"
            try TestSQL.execute(databaseURL, """
                INSERT INTO vend_transactions (trans_id, organization_id, user_id, meter_number, amount, status, provider, receipt,
                                               failure_code, failure_message, created_at, settled_at, next_reconcile_at)
                SELECT '\(fixture.transID)', '\(organization)', id, '04040404040', \(fixture.amount), '\(fixture.status)', 'simulator',
                       \(fixture.status == "success" ? "'{}'::jsonb" : "NULL"),
                       \(fixture.status == "failed" ? "'206', 'amount out of range'" : "NULL, NULL"),
                       now() - interval '\(fixture.hoursAgo) hours',
                       \(settled ? "now()" : "NULL"), \(settled ? "NULL" : "now() + interval '1 hour'")
                FROM vend_users WHERE email = '\(email)'
                """)
        }
    }

    static func storePurchases(_ fixtures: [PurchaseFixture], organization: String, databaseURL: String) throws {
        try TestSQL.execute(databaseURL, """
            INSERT INTO retailers (organization_id, external_id, name, time_zone)
            VALUES ('\(organization)', '123', 'Retailer', 'Europe/Madrid')
            """)
        for fixture in fixtures {
            try TestSQL.execute(databaseURL, """
                INSERT INTO purchases (organization_id, retailer_id, user_id, username, row_count, first_period_start,
                                       last_period_start, status, error, created_at)
                SELECT '\(organization)', id, gen_random_uuid(), 'trebolenergia', \(fixture.rows), now(), now(), '\(fixture.status)',
                       '\(fixture.error)', now() - interval '\(fixture.hoursAgo) hours'
                FROM retailers WHERE organization_id = '\(organization)'
                """)
        }
    }

    /// The value of `attribute` on the element with `id` in `html`.
    static func attribute(_ attribute: String, of id: String, in html: String) -> String? {
        guard let element = html.range(of: "id=\"\(id)\"") else { return nil }
        let tagStart = html[..<element.lowerBound].lastIndex(of: "<") ?? element.lowerBound
        guard let tagEnd = html[element.upperBound...].firstIndex(of: ">") else { return nil }
        let tag = html[tagStart..<tagEnd]
        guard let found = tag.range(of: " \(attribute)=\"") else { return nil }
        return String(tag[found.upperBound...].prefix { $0 != "\"" })
    }

    @Test func aViewerSeesItsOrganisationsVendPurchaseAndEventActivity() throws {
        let databaseURL = try TestDatabase.fresh()
        let environment = try Daemon.environment(databaseURL: databaseURL)
        var organizations: [String: String] = [:]
        for slug in ["acme", "other"] {
            let created = try Daemon.run(["org", "create", "--slug", slug, "--name", slug], environment: environment)
            organizations[slug] = created.output.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        let viewer = try Daemon.lastLine(try Daemon.run(["token", "create", "--org", "acme", "--role", "viewer"], environment: environment))
        let vendOnly = try Daemon.lastLine(try Daemon.run(
            ["token", "create", "--org", "acme", "--role", "admin", "--scopes", "vend"], environment: environment))
        let acme = try #require(organizations["acme"]), other = try #require(organizations["other"])
        try Self.storeVend(Self.vend, organization: acme, email: "agent@acme.example", databaseURL: databaseURL)
        try Self.storeVend([VendFixture(transID: "OTHER-1", status: "success", amount: 999, hoursAgo: 1)], organization: other,
                           email: "agent@other.example", databaseURL: databaseURL)
        try Self.storePurchases(Self.purchases, organization: acme, databaseURL: databaseURL)
        try Self.storePurchases([PurchaseFixture(status: "failed", rows: 1, hoursAgo: 1, error: "OTHER-ERROR")], organization: other,
                                databaseURL: databaseURL)
        try Self.storeCustomerEvents(Self.customerEvents, organization: acme, databaseURL: databaseURL)
        try Self.storeCustomerEvents([EventFixture(reference: "OTHER-EV", currency: "EUR", total: "999", hoursAgo: 1)],
                                     organization: other, databaseURL: databaseURL)
        _ = try Daemon.run(["customer-events", "key", "create", "--org", "acme", "--label", "till"], environment: environment)

        let daemon = try Daemon.start(environment: environment)
        defer { _ = daemon.terminate() }
        let refused = try Session(port: daemon.port)
        let noScope = try refused.signIn(token: vendOnly)
        #expect(noScope.status == 403 && refused.cookies["tradingd_token"] == nil)
        #expect(try refused.signIn(token: "tdt_" + String(repeating: "0", count: 64)).status == 401)
        #expect(try refused.send("GET", "/").status == 303)

        let session = try Session(port: daemon.port)
        let signedIn = try session.signIn(token: viewer)
        #expect(signedIn.status == 303 && signedIn.header("Location") == "/")
        let page = try session.send("GET", "/")
        #expect(page.status == 200, "\(daemon.log.split(separator: "\n").filter { $0.contains("status page failed") })")
        let html = String(decoding: page.body, as: UTF8.self)

        let recentVend = Self.vend.filter { $0.hoursAgo < 24 }
        let count = { (status: String) in String(recentVend.filter { $0.status == status }.count) }
        #expect(Self.attribute("data-success", of: "vend-counts", in: html) == count("success"))
        #expect(Self.attribute("data-failed", of: "vend-counts", in: html) == count("failed"))
        #expect(Self.attribute("data-unsettled", of: "vend-counts", in: html)
            == String(recentVend.filter { $0.status == "pending" || $0.status == "unknown" }.count))
        #expect(Self.attribute("data-amount", of: "vend-sold", in: html)
            == String(recentVend.filter { $0.status == "success" }.map(\.amount).reduce(0, +)) + ".00")
        #expect(Self.attribute("data-count", of: "vend-unsettled", in: html)
            == String(Self.vend.filter { $0.status == "pending" || $0.status == "unknown" }.count))
        for fixture in Self.vend { #expect(html.contains("data-trans-id=\"\(fixture.transID)\""), "\(fixture.transID) is listed") }
        #expect(html.contains("206: amount out of range"))

        let recentPurchases = Self.purchases.filter { $0.hoursAgo < 24 }
        for status in ["pending", "submitted", "running", "completed", "failed"] {
            #expect(Self.attribute("data-\(status)", of: "purchase-counts", in: html)
                == String(recentPurchases.filter { $0.status == status }.count), "purchases \(status)")
        }
        #expect(Self.attribute("data-periods", of: "purchase-counts", in: html) == String(recentPurchases.map(\.rows).reduce(0, +)))
        #expect(Self.attribute("data-count", of: "purchase-waiting", in: html)
            == String(Self.purchases.filter { $0.status == "pending" }.count))
        #expect(html.contains("the workflow failed: step refused"))

        let recentEvents = Self.customerEvents.filter { $0.hoursAgo < 24 }
        #expect(Self.attribute("data-events", of: "event-counts", in: html) == String(recentEvents.count))
        #expect(Self.attribute("data-contacts", of: "event-counts", in: html) == "1")
        #expect(Self.attribute("data-keys", of: "event-clients", in: html) == "1")
        for currency in Set(recentEvents.map(\.currency)) {
            let ofCurrency = recentEvents.filter { $0.currency == currency }
            let amount = ofCurrency.map { Decimal(string: $0.total)! }.reduce(0, +)
            #expect(html.contains("data-currency=\"\(currency)\" data-events=\"\(ofCurrency.count)\" data-amount=\"\(amount)\""),
                    "the \(currency) total")
        }
        for fixture in Self.customerEvents { #expect(html.contains("data-event=\"\(fixture.reference)\""), "\(fixture.reference) is listed") }

        #expect(!html.contains("OTHER-1") && !html.contains("OTHER-ERROR") && !html.contains("OTHER-EV"),
                "another organisation's activity is not shown")
    }
}
