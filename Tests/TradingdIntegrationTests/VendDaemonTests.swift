import Foundation
import Postgres
import TestSupport
import Testing
import VendSimulator

/// The vend family in the real `tradingd` binary: the CLI that creates and imports its data, the
/// seed's testing tips over HTTP against a simulator outside the daemon, and a daemon killed at
/// either end of the provider call, settled after the restart.
@Suite struct VendDaemonTests {
    struct Setup {
        let environment: [String: String]
        let databaseURL: String
        let simulator: VendSimulator
    }

    private func setUp(_ extra: [String: String] = [:]) throws -> Setup {
        let databaseURL = try TestDatabase.fresh()
        let simulator = VendSimulator()
        try simulator.start()
        var environment = try Daemon.environment(databaseURL: databaseURL)
        environment["TRADINGD_ESM_PRIVATE_ALLOW"] = "127.0.0.1:\(simulator.port!)"
        environment["TRADINGD_VEND_SIMULATOR_URL"] = simulator.baseURL
        environment["TRADINGD_VEND_LUHN_EXEMPT_METERS"] = "12345678901"
        environment["TRADINGD_VEND_RECONCILE_INTERVAL_SECONDS"] = "1"
        environment.merge(extra) { $1 }
        simulator.setMeter("12345678901", SimulatedMeter(customerName: "John Doe", accountNumber: "ACC123456"))
        #expect(try Daemon.run(["org", "create", "--slug", "demo", "--name", "Demo"], environment: environment).status == 0)
        var withPassword = environment
        withPassword["TRADINGD_VEND_PASSWORD"] = "password123"
        let created = try Daemon.run(["vend", "user", "create", "--org", "demo", "--email", "user@example.com", "--name", "Demo Agent"],
                                     environment: withPassword)
        #expect(created.status == 0, "\(created.errors)")
        let catalog = FileManager.default.temporaryDirectory.appendingPathComponent("vend-\(UUID().uuidString).csv").path
        try "account_no,name,meter_number,tariff_name,sgc,ti,krn\nACC123456,John Doe,12345678901,Residential,123,456,789\n"
            .write(toFile: catalog, atomically: true, encoding: .utf8)
        let imported = try Daemon.run(["vend", "import", "--org", "demo", "--file", catalog], environment: environment)
        #expect(imported.output.contains("imported 1 customer(s) and 1 meter(s)"), "\(imported.errors)")
        return Setup(environment: environment, databaseURL: databaseURL, simulator: simulator)
    }

    private func post(_ port: Int, _ path: String, _ json: String, token: String? = nil) throws -> HTTP.Reply {
        try HTTP.send("POST", "http://127.0.0.1:\(port)\(path)", token: token, body: Data(json.utf8))
    }

    /// The seed's testing tips 2 and 3, as written; returns the api_token.
    private func verifyAndBuy(_ port: Int) throws -> (token: String, buy: Result<HTTP.Reply, any Error>) {
        let verify = try post(port, "/api/electricity/verify-customer", """
            {"transID": "TXN123456789", "meterNumber": "12345678901", "amount": 50.00, "email": "user@example.com", "password": "password123"}
            """)
        #expect(verify.status == 200, "\(verify.body)")
        let token = try #require(verify.json?["api_token"] as? String)
        let elec = try #require(verify.json?["elec_token"] as? String)
        let buy = Result { try post(port, "/api/buyelectricityprod", """
            {"transID": "TXN123456789", "meterNumber": "12345678901", "amount": 50.00, "elec_token": "\(elec)"}
            """, token: token) }
        return (token, buy)
    }

    @Test func theSeedsTestingTipsWorkAgainstTheDaemon() throws {
        let setup = try setUp()
        defer { setup.simulator.stop() }
        let daemon = try Daemon.start(environment: setup.environment)
        defer { _ = daemon.terminate() }
        let login = try post(daemon.port, "/api/auth/login", #"{"email": "user@example.com", "password": "password123"}"#)
        #expect(login.status == 200 && (login.json?["api_token"] as? String)?.hasPrefix("vat_") == true)
        let (token, buy) = try verifyAndBuy(daemon.port)
        let reply = try buy.get()
        #expect(reply.status == 200 && reply.json?["results"] as? String == "SUCCESS", "\(reply.body)")
        let byID = try HTTP.get("http://127.0.0.1:\(daemon.port)/api/transactions/transaction-id/TXN123456789", token: token)
        #expect(byID.status == 200)
        #expect(setup.simulator.stats.creditVends == 1)
        #expect(!daemon.log.contains("password123"))
        guard case .sold(let sale)? = setup.simulator.records["TXN123456789"] else { Issue.record("no sale"); return }
        #expect(reply.body.contains(sale.creditToken.grouped))
        #expect(!daemon.log.contains(sale.creditToken.grouped) && !daemon.log.contains(sale.creditToken.digits))

        // The catalog the local run seeds imports, and its blocked sandbox meter gets the seed's
        // provider-failure body through the daemon.
        let demoCatalog = Repository.root.appendingPathComponent("Deploy/vend-demo-catalog.csv").path
        let imported = try Daemon.run(["vend", "import", "--org", "demo", "--file", demoCatalog], environment: setup.environment)
        #expect(imported.status == 0 && imported.output.contains("imported 2 customer(s) and 3 meter(s)"), "\(imported.output)\(imported.errors)")
        let verify = try post(daemon.port, "/api/electricity/verify-customer", """
            {"transID": "TXN-BLOCKED", "meterNumber": "04040404453", "amount": 50, "email": "user@example.com", "password": "password123"}
            """)
        #expect(verify.status == 200, "\(verify.body)")
        let elec = try #require(verify.json?["elec_token"] as? String)
        let blocked = try post(daemon.port, "/api/buyelectricityprod", """
            {"transID": "TXN-BLOCKED", "meterNumber": "04040404453", "amount": 50, "elec_token": "\(elec)"}
            """, token: token)
        #expect(blocked.status == 502)
        #expect(blocked.json?["results"] as? String == "FAILED" && blocked.json?["details"] as? String == "Blocked customer")
        #expect(blocked.json?["message"] as? String == "Blueprintelectricity experinced an error while purchasing electricity. Please try again later.")
    }

    @Test func killedBetweenCommitAndProviderCallIsSettledAsFailedOnRestart() throws {
        let setup = try setUp(["TRADINGD_VEND_FAIL_AT": "after-pending-commit"])
        defer { setup.simulator.stop() }
        let dying = try Daemon.start(environment: setup.environment)
        let (_, buy) = try verifyAndBuy(dying.port)
        #expect(throws: (any Error).self) { try buy.get() }  // the process exited mid-request
        #expect(dying.terminate() == 86)
        #expect(setup.simulator.stats.creditVends == 0)
        try expectStatus(setup.databaseURL, "pending")

        var environment = setup.environment
        environment["TRADINGD_VEND_FAIL_AT"] = nil
        let daemon = try Daemon.start(environment: environment)
        defer { _ = daemon.terminate() }
        try TestSQL.execute(setup.databaseURL, "UPDATE vend_transactions SET next_reconcile_at = now()")  // its caller's lease has run out
        try waitUntil(timeout: .seconds(30), "the reconciliation job settles it") { try status(setup.databaseURL) == "failed" }
        #expect(setup.simulator.stats.creditVends == 0, "never vended")
        #expect(setup.simulator.stats.adviceCalls >= 1)
    }

    @Test func killedBetweenTheProvidersAnswerAndRecordingItIsSettledAsSold() throws {
        let setup = try setUp(["TRADINGD_VEND_FAIL_AT": "after-provider-answer"])
        defer { setup.simulator.stop() }
        let dying = try Daemon.start(environment: setup.environment)
        let (_, buy) = try verifyAndBuy(dying.port)
        #expect(throws: (any Error).self) { try buy.get() }
        #expect(dying.terminate() == 86)
        #expect(setup.simulator.stats.salesMade == 1)
        try expectStatus(setup.databaseURL, "pending")

        var environment = setup.environment
        environment["TRADINGD_VEND_FAIL_AT"] = nil
        try TestSQL.execute(setup.databaseURL, "UPDATE vend_transactions SET next_reconcile_at = now()")
        let reconciled = try Daemon.run(["vend", "reconcile"], environment: environment)
        #expect(reconciled.status == 0)
        #expect(reconciled.output.contains("TXN123456789\tsuccess\tadvice: sold"), "\(reconciled.output)\(reconciled.errors)")
        #expect(reconciled.output.contains("0 unsettled"))
        try expectStatus(setup.databaseURL, "success")
        guard case .sold(let sale)? = setup.simulator.records["TXN123456789"] else { Issue.record("no sale"); return }
        let receipt = try PostgresConnection(url: setup.databaseURL).query("SELECT receipt::text FROM vend_transactions").first!.string(0)
        #expect(receipt.contains(sale.creditToken.grouped))
        #expect(setup.simulator.stats.creditVends == 1)
    }

    @Test func vendCommandsRefuseBadInputWithTheOperatorExitCodes() throws {
        let setup = try setUp()
        defer { setup.simulator.stop() }
        let environment = setup.environment
        #expect(try Daemon.run(["vend", "--help"], environment: environment).status == 0)
        let noPassword = try Daemon.run(["vend", "user", "create", "--org", "demo", "--email", "b@example.com", "--name", "B"],
                                        environment: environment)
        #expect(noPassword.status == 2 && noPassword.errors.contains("TRADINGD_VEND_PASSWORD"))
        let badMeter = try Daemon.run(["vend", "meter", "add", "--org", "demo", "--account", "ACC123456", "--meter", "94949494949"],
                                      environment: environment)
        #expect(badMeter.status == 2)
        let added = try Daemon.run(["vend", "meter", "add", "--org", "demo", "--account", "ACC123456", "--meter", "04040404040"],
                                   environment: environment)
        #expect(added.status == 0)
        let badFile = FileManager.default.temporaryDirectory.appendingPathComponent("vend-\(UUID().uuidString).csv").path
        try "account_no,name,meter_number\nA,B,123\n".write(toFile: badFile, atomically: true, encoding: .utf8)
        let refused = try Daemon.run(["vend", "import", "--org", "demo", "--file", badFile], environment: environment)
        #expect(refused.status == 1 && refused.errors.contains("line 2"))
        let list = try Daemon.run(["vend", "user", "list", "--org", "demo"], environment: environment)
        #expect(list.output.contains("user@example.com\tDemo Agent\tenabled"))
        #expect(try Daemon.run(["vend", "unsettled"], environment: environment).status == 0)
        #expect(try Daemon.run(["vend", "frob"], environment: environment).status == 2)
    }

    private func status(_ databaseURL: String) throws -> String? {
        try PostgresConnection(url: databaseURL).query("SELECT status FROM vend_transactions WHERE trans_id = 'TXN123456789'").first?.string(0)
    }

    private func expectStatus(_ databaseURL: String, _ expected: String) throws {
        #expect(try status(databaseURL) == expected)
    }
}
