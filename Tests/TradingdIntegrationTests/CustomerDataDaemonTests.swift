import Foundation
import TestSupport
import Testing

/// The customer-data families in the real `tradingd` binary, set up the way the local run does it:
/// the CLI imports `Deploy/demo`'s users and reference data and registers seed 003's api_key, then
/// both seeds' calls work over HTTP, with the configured token lifetime and `performed_on` horizon.
@Suite struct CustomerDataDaemonTests {
    static let seedAPIKey = "8c54d563-b991-4b76-8a83-557c08166f95"
    static let demoUser = "3f1c2a9e-8d4b-4f6a-9c1e-2b7d5e8a0f13"
    let demo = Repository.root.appendingPathComponent("Deploy/demo")

    private func seeded(_ environment: [String: String]) throws {
        #expect(try Daemon.run(["org", "create", "--slug", "demo", "--name", "Demo"], environment: environment).status == 0)
        let users = try Daemon.run(["users", "import", "--org", "demo", demo.appendingPathComponent("users.csv").path], environment: environment)
        #expect(users.output == "users: 2 created, 0 updated\n", "\(users.errors)")
        let again = try Daemon.run(["users", "import", "--org", "demo", demo.appendingPathComponent("users.csv").path], environment: environment)
        #expect(again.status == 0)
        let reference = demo.appendingPathComponent("customer-events-reference-data.json").path
        let imported = try Daemon.run(["customer-events", "import", "--org", "demo", reference], environment: environment)
        #expect(imported.output.hasPrefix("reference data: 3 currencies, 3 business units, 2 classifications, 3 products, 2 contacts"),
                "\(imported.errors)")
        #expect(try Daemon.run(["customer-events", "import", "--org", "demo", reference], environment: environment).status == 0)
        let key = try Daemon.run(["customer-events", "key", "create", "--org", "demo", "--label", "seed 003 example", "--key", Self.seedAPIKey],
                                 environment: environment)
        #expect(try Daemon.lastLine(key) == Self.seedAPIKey)
    }

    private func post(_ port: Int, _ path: String, _ body: String, headers: [String: String]) throws -> HTTP.Reply {
        try HTTP.send("POST", "http://127.0.0.1:\(port)\(path)", headers: headers, body: Data(body.utf8))
    }

    private func eventToken(_ port: Int) throws -> String {
        let answer = try post(port, "/customer_events/token", "", headers: ["api_key": Self.seedAPIKey])
        #expect(answer.status == 201, "\(answer.body)")
        return try #require(answer.json?["token"] as? String)
    }

    @Test func theLocalRunsDemoDataMakeBothSeedsWorkAsWritten() throws {
        var environment = try Daemon.environment(databaseURL: try TestDatabase.fresh())
        environment["TRADINGD_CUSTOMER_EVENTS_TOKEN_LIFETIME_SECONDS"] = "3"
        environment["TRADINGD_CUSTOMER_EVENTS_FUTURE_HORIZON_SECONDS"] = "0"
        try seeded(environment)
        let loyaltyCreated = try Daemon.run(["token", "create", "--org", "demo", "--role", "operator", "--scopes", "loyalty"],
                                            environment: environment)
        let loyalty = try Daemon.lastLine(loyaltyCreated)
        let loyaltyID = try #require(loyaltyCreated.output.split(separator: " ").dropFirst(2).first.map(String.init))
        let daemon = try Daemon.start(environment: environment)
        defer { _ = daemon.terminate() }

        // Seed 002 for an imported user; a fecha without offset is read in Bogotá by default.
        let sale = #"{"user_id": "\#(Self.demoUser)", "history": [{"nit": "900.373.923-8", "monto": 15000.50, "fecha": "2024-03-15T10:00", "emc": "Postobón"}]}"#
        let updated = try post(daemon.port, "/update-user-sales-history", sale, headers: ["Authorization": "Bearer \(loyalty)"])
        #expect(updated.status == 200, "\(updated.body)")
        #expect(updated.json?["business_name"] as? String == "Tienda La 14")
        #expect(updated.body.contains(#""history":[{"nit":"9003739238","monto":15000.5,"fecha":"2024-03-15T10:00:00-05:00","emc":"Postobón"}]"#))
        let profileURL = "http://127.0.0.1:\(daemon.port)/users/\(Self.demoUser)"
        let read = try HTTP.get(profileURL, token: loyalty)
        let lookedUp = ContinuousClock.now
        #expect(read.body == updated.body)
        // The daemon remembers a token for 5 s; revoking it must end it before then, so the
        // family must use the authenticator the revocation listener clears.
        #expect(try Daemon.run(["token", "revoke", loyaltyID], environment: environment).status == 0)
        let beforeTheCacheForgets = max(.milliseconds(500), .milliseconds(4500) - (ContinuousClock.now - lookedUp))
        try waitUntil(timeout: beforeTheCacheForgets, "the revoked loyalty token is refused") {
            try HTTP.get(profileURL, token: loyalty).status == 401
        }

        // Seed 003's Example 1, the file the local run posts, with the api_key the CLI registered.
        let example1 = try String(contentsOf: demo.appendingPathComponent("example1.json"), encoding: .utf8)
        let tokenAnswer = try post(daemon.port, "/customer_events/token", "", headers: ["api_key": Self.seedAPIKey])
        #expect(tokenAnswer.json?["expires_in"] as? Int == 3)
        let token = try #require(tokenAnswer.json?["token"] as? String)
        let bearer = ["Authorization": "Bearer \(token)"]
        let created = try post(daemon.port, "/customer_events/purchases", example1, headers: bearer)
        #expect(created.status == 201, "\(created.body)")
        let id = try #require(created.json?["id"] as? String)
        let retried = try post(daemon.port, "/customer_events/purchases", example1, headers: bearer)
        #expect(retried.status == 200 && retried.json?["id"] as? String == id)

        // The configured horizon (0 s): a minute ahead is refused.
        let ahead = Int(Date().timeIntervalSince1970) + 60
        let future = try post(daemon.port, "/customer_events/purchases",
                              example1.replacingOccurrences(of: "RF000001", with: "RF000002").replacingOccurrences(of: "1572423477", with: "\(ahead)"),
                              headers: bearer)
        #expect(future.status == 400)
        #expect((future.json?["error"] as? String)?.hasSuffix("is more than 0 seconds in the future.") == true, "\(future.body)")

        // The configured lifetime (3 s): the token then expires.
        Thread.sleep(forTimeInterval: 3.5)
        let expired = try post(daemon.port, "/customer_events/purchases", example1, headers: bearer)
        #expect(expired.status == 401)
        #expect(expired.json?["error"] as? String == "The auth token has expired: request a new one with POST /customer_events/token.")

        // Revoking the key with the CLI ends its fresh token at once.
        let fresh = try eventToken(daemon.port)
        let keys = try Daemon.run(["customer-events", "key", "list", "--org", "demo"], environment: environment)
        let keyID = try #require(keys.output.split(separator: "\n").first { $0.contains("seed 003 example") }?.split(separator: "\t").first)
        #expect(try Daemon.run(["customer-events", "key", "revoke", String(keyID)], environment: environment).status == 0)
        let revoked = try post(daemon.port, "/customer_events/purchases", example1, headers: ["Authorization": "Bearer \(fresh)"])
        #expect(revoked.status == 401 && revoked.json?["error"] as? String == "The auth token's api_key has been revoked.")
        #expect(try post(daemon.port, "/customer_events/token", "", headers: ["api_key": Self.seedAPIKey]).status == 401)
    }

    @Test func customerDataCommandsRefuseBadInputAndWriteNothing() throws {
        let databaseURL = try TestDatabase.fresh()
        let environment = try Daemon.environment(databaseURL: databaseURL)
        #expect(try Daemon.run(["org", "create", "--slug", "demo", "--name", "Demo"], environment: environment).status == 0)
        let directory = FileManager.default.temporaryDirectory
        let users = directory.appendingPathComponent("users-\(UUID().uuidString).csv").path
        try "username,name,quota\nana,Ana,10\nbad name,Luis,x\n".write(toFile: users, atomically: true, encoding: .utf8)
        let refusedUsers = try Daemon.run(["users", "import", "--org", "demo", users], environment: environment)
        #expect(refusedUsers.status != 0)
        #expect(refusedUsers.errors.contains("line 3"), "\(refusedUsers.errors)")
        let reference = directory.appendingPathComponent("reference-\(UUID().uuidString).json").path
        try #"{"business_units": [{"code": "CD1", "name": "Outlet", "parent": "NOPE"}], "products": [{"sku": "P1", "name": "P"}]}"#
            .write(toFile: reference, atomically: true, encoding: .utf8)
        let refusedReference = try Daemon.run(["customer-events", "import", "--org", "demo", reference], environment: environment)
        #expect(refusedReference.status != 0)
        #expect(refusedReference.errors.contains("NOPE"), "\(refusedReference.errors)")
        let zone = try Daemon.run(["org", "time-zone", "--slug", "demo", "--zone", "Mars/Olympus"], environment: environment)
        #expect(zone.status != 0 && zone.errors.contains("Mars/Olympus"), "\(zone.errors)")
        #expect(try Daemon.run(["org", "time-zone", "--slug", "demo", "--zone", "America/Lima"], environment: environment).status == 0)
        #expect(try Daemon.run(["customer-events", "key", "revoke", "nope"], environment: environment).status == 2)
        #expect(try Daemon.run(["users", "frob"], environment: environment).status == 2)
        let counts = try TestSQL.count(databaseURL, "SELECT (SELECT count(*) FROM users) + (SELECT count(*) FROM loyalty_products)"
                                                       + " + (SELECT count(*) FROM loyalty_business_units)")
        #expect(counts == 0)
        let zoneSet = try TestSQL.text(databaseURL, "SELECT time_zone FROM organizations WHERE slug = 'demo'")
        #expect(zoneSet == "America/Lima")
    }
}
