import Foundation
import TestSupport
import Testing

/// The real `tradingd` binary, run as a process against the private servers: the CLI's exit
/// codes, authentication over HTTP, and an orderly exit on SIGTERM.
@Suite struct DaemonProcessTests {
    @Test func cliExitCodesFollowTheOperatorInterface() throws {
        let environment = try Daemon.environment(databaseURL: try TestDatabase.fresh())
        #expect(try Daemon.run(["--help"], environment: environment).status == 0)
        #expect(try Daemon.run(["token", "create", "--help"], environment: environment).status == 0)
        let unknown = try Daemon.run(["frobnicate"], environment: environment)
        #expect(unknown.status == 2)
        #expect(unknown.errors.contains("unknown command 'frobnicate'"))
        #expect(try Daemon.run(["token", "create", "--org"], environment: environment).status == 2)
        let missingOrg = try Daemon.run(["token", "create", "--org", "nope", "--role", "admin"], environment: environment)
        #expect(missingOrg.status == 1)
        #expect(missingOrg.errors.contains("no organisation with slug 'nope'"))
        var broken = environment
        broken["TRADINGD_HTTP_ADDRESS"] = "no-port"
        let badConfig = try Daemon.run(["check-config"], environment: broken)
        #expect(badConfig.status == 1)
        #expect(badConfig.errors.contains("TRADINGD_HTTP_ADDRESS httpAddress"))
        #expect(try Daemon.run(["migrate"], environment: environment).output.contains("up to date"))
    }

    @Test func authenticatesAndStopsCleanlyOnSIGTERM() throws {
        let environment = try Daemon.environment(databaseURL: try TestDatabase.fresh())
        let orgID = try Daemon.run(["org", "create", "--slug", "acme", "--name", "Acme"], environment: environment)
        #expect(orgID.status == 0)
        #expect(UUID(uuidString: orgID.output.trimmingCharacters(in: .whitespacesAndNewlines)) != nil)
        let admin = try Daemon.lastLine(try Daemon.run(["token", "create", "--org", "acme", "--role", "admin"], environment: environment))
        let vendOnly = try Daemon.lastLine(try Daemon.run(
            ["token", "create", "--org", "acme", "--role", "viewer", "--scopes", "vend"], environment: environment))
        let revoked = try Daemon.run(["token", "create", "--org", "acme", "--role", "viewer"], environment: environment)
        let revokedID = try #require(revoked.output.split(separator: " ").dropFirst(2).first.map(String.init))
        #expect(try Daemon.run(["token", "revoke", revokedID], environment: environment).status == 0)
        let listing = try Daemon.run(["token", "list", "--org", "acme"], environment: environment).output
        #expect(!listing.contains(admin))

        let daemon = try Daemon.start(environment: environment)
        defer { daemon.kill() }
        let base = "http://127.0.0.1:\(daemon.port)"
        #expect(try HTTP.get(base + "/healthz").status == 200)
        #expect(try HTTP.get(base + "/readyz").status == 200)
        let path = base + "/api/v1/trading/plants/00000000-0000-0000-0000-000000000001/telemetry"
        let missing = try HTTP.get(path)
        #expect(missing.status == 401)
        #expect(missing.json?["code"] as? String == "UNAUTHORIZED")
        #expect(missing.json?["statusCode"] as? Int == 401)
        #expect(try HTTP.get(path, token: "tdt_" + String(repeating: "0", count: 64)).status == 401)
        #expect(try HTTP.get(path, token: try Daemon.lastLine(revoked)).status == 401)
        let forbidden = try HTTP.get(path, token: vendOnly)
        #expect(forbidden.status == 403)
        #expect(forbidden.json?["code"] as? String == "FORBIDDEN")
        let notFound = try HTTP.get(path, token: admin)
        #expect(notFound.status == 404)
        #expect(notFound.json?["code"] as? String == "PLANT_NOT_FOUND")
        #expect(notFound.headers["X-Request-Id"] != nil)
        #expect(try HTTP.get(base + "/metrics").body.contains("tradingd_http_requests_total"))
        let status = try Daemon.run(["status", "--url", base], environment: environment)
        #expect(status.status == 0)
        #expect(status.output.contains("tradingd at \(base): ready"))
        #expect(status.output.contains("postgres   ok") && status.output.contains("rabbitmq   ok"))
        #expect(status.output.contains("version    "))
        var configured = environment
        configured["TRADINGD_HTTP_ADDRESS"] = "0.0.0.0:\(daemon.port)"
        #expect(try Daemon.run(["status"], environment: configured).status == 0)

        #expect(daemon.terminate() == 0)
        #expect(daemon.log.contains("\"msg\":\"stopped\""))
        let gone = try Daemon.run(["status", "--url", base], environment: environment)
        #expect(gone.status == 1)
        #expect(gone.output.contains("not answering"))
    }

    /// `/readyz` answers 503 while RabbitMQ cannot be reached (nothing listens on port 1), and
    /// `tradingd status` says so by dependency and exits 1.
    @Test func statusSaysNotReadyWhileTheBrokerIsUnreachable() throws {
        var environment = try Daemon.environment(databaseURL: try TestDatabase.fresh())
        environment["TRADINGD_AMQP_URL"] = "amqp://guest:guest@127.0.0.1:1/"
        let daemon = try Daemon.start(environment: environment)
        defer { _ = daemon.terminate() }
        let base = "http://127.0.0.1:\(daemon.port)"
        #expect(try HTTP.get(base + "/readyz").status == 503)
        let status = try Daemon.run(["status", "--url", base], environment: environment)
        #expect(status.status == 1)
        #expect(status.output.contains("tradingd at \(base): NOT READY (HTTP 503)"), "\(status.output)")
        #expect(status.output.contains("postgres   ok") && status.output.contains("rabbitmq   unreachable"))
    }

    @Test func expiredTokensAreRefused() throws {
        let databaseURL = try TestDatabase.fresh()
        let environment = try Daemon.environment(databaseURL: databaseURL)
        _ = try Daemon.run(["org", "create", "--slug", "late", "--name", "Late"], environment: environment)
        let token = try Daemon.lastLine(try Daemon.run(
            ["token", "create", "--org", "late", "--role", "admin", "--expires", "1"], environment: environment))
        let daemon = try Daemon.start(environment: environment)
        defer { daemon.kill() }
        let path = "http://127.0.0.1:\(daemon.port)/api/v1/trading/plants/00000000-0000-0000-0000-000000000001/telemetry"
        #expect(try HTTP.get(path, token: token).status == 404)
        try TestSQL.execute(databaseURL, "UPDATE api_tokens SET expires_at = now() - interval '1 second'")
        // The authenticator remembers answers for a few seconds.
        Thread.sleep(forTimeInterval: 5.5)
        #expect(try HTTP.get(path, token: token).status == 401)
        #expect(daemon.terminate() == 0)
    }
}
