@testable import ESM
import ESMSimulator
import Foundation
import Observability
import OutboundTestSupport
import Testing
import TradingCore

/// The guard on every connection and the secret kept out of every error and description.
@Suite(.timeLimit(.minutes(1)))
struct ESMClientSecurityTests {
    /// DNS rebinding: the name resolves to a public address when the URL is accepted, then to
    /// loopback. The connection-time check refuses it, and nothing reaches the simulator, although
    /// the simulator's own `127.0.0.1:<port>` is allow-listed.
    @Test func refusesAPrivateAddressThatAppearsAfterTheURLWasAccepted() throws {
        let fixture = try ESMTestFixture()
        let lookups = Counter()
        let guardian = OutboundURLGuard(allowList: fixture.urlGuard.allowList) { _ in
            lookups.increment()
            return lookups.value == 1 ? [IPAddress(v4: 93, 184, 216, 34)] : [IPAddress(v4: 127, 0, 0, 1)]
        }
        let logs = LogCapture()
        let client = try ESMClient(configuration: ESMClientConfiguration(
            baseURL: "http://esm.example.com:\(fixture.port)", clientID: "client-a", clientSecret: ESMTestFixture.secret,
            maxAttempts: 3, retryDelay: .milliseconds(1)), urlGuard: guardian, logger: Logger(level: .info, sink: logs.sink))
        #expect(client.baseURL.addresses == [IPAddress(v4: 93, 184, 216, 34)])
        let error = try #require(throws: ESMError.self) { try client.listPlants() }
        #expect(error.kind == .forbiddenAddress)
        #expect(!error.isRetriable)
        // The tenant sees the rule (issue 16 item 15); the operator's log has the address.
        #expect(!error.message.contains("127.0.0.1"), "\(error.message)")
        #expect(error.message.contains("not public"))
        #expect(logs.lines.contains { $0.contains("127.0.0.1") && $0.contains("loopback") })
        #expect(lookups.value == 2)   // checked again at connect time, not retried
        #expect(fixture.simulator.stats.requests == 0)
    }

    /// The client connects to the address the guard returned, not to what the system resolver
    /// would say: this name does not exist in DNS, so reaching the simulator proves the pinning.
    @Test func connectsToExactlyTheAddressTheGuardChecked() throws {
        let fixture = try ESMTestFixture()
        let name = "esm-pinned.invalid-name.example"
        let guardian = try OutboundURLGuard(privateAllowList: "\(name):\(fixture.port)") { host in
            host == name ? [IPAddress(v4: 127, 0, 0, 1)] : []
        }
        let client = try ESMClient(configuration: ESMClientConfiguration(
            baseURL: "http://\(name):\(fixture.port)", clientID: "client-a", clientSecret: ESMTestFixture.secret), urlGuard: guardian)
        #expect(try client.listPlants().count == 3)
    }

    @Test func refusesABaseURLTheGuardRefuses() throws {
        let guardian = try OutboundURLGuard(privateAllowList: "127.0.0.1:1")
        for url in ["http://127.0.0.1:2", "http://169.254.169.254/", "http://[::1]:80", "http://2130706433/", "ftp://esm.example.com"] {
            let error = try #require(throws: ESMError.self) {
                try ESMClient(configuration: ESMClientConfiguration(baseURL: url, clientID: "a", clientSecret: ESMTestFixture.secret),
                              urlGuard: guardian)
            }
            #expect(error.kind == .forbiddenAddress, "\(url)")
        }
    }

    @Test func secretIsAbsentFromEveryErrorAndDescription() throws {
        let secret = ESMTestFixture.secret
        var texts: [String] = []
        let fixture = try ESMTestFixture { $0.requestTimeout = .milliseconds(300); $0.maxAttempts = 1 }
        texts += [String(describing: fixture.client.configuration), String(reflecting: fixture.client.configuration),
                  String(describing: fixture.client)]
        var dumped = ""
        dump(fixture.client.configuration, to: &dumped)
        texts.append(dumped)

        let wrong = try fixture.makeClient { $0.clientSecret = secret + "-wrong" }
        texts += captureErrors { _ = try wrong.listPlants() }
        texts += captureErrors { _ = try fixture.client.plantConfig(plantID: "missing") }
        fixture.simulator.failureRate = 1
        texts += captureErrors { _ = try fixture.client.listPlants() }
        fixture.simulator.failureRate = 0
        fixture.simulator.latency = .seconds(1)
        texts += captureErrors { _ = try fixture.client.listPlants() }
        fixture.simulator.latency = .zero
        try fixture.simulator.setDown(true)
        texts += captureErrors { _ = try fixture.client.listPlants() }
        #expect(texts.count >= 8)
        for text in texts {
            #expect(!text.contains(secret), "secret in: \(text)")
            #expect(!text.contains(secret.prefix(12)), "part of the secret in: \(text)")
        }
    }

    /// A hostile or careless ESM that echoes credentials in its error text: they are scrubbed.
    @Test func secretEchoedByTheESMIsScrubbed() throws {
        let secret = ESMTestFixture.secret
        let server = try RawHTTPServer { head, _ in
            if head.hasPrefix("POST /oauth/token") { return RawHTTPServer.tokenAnswer }
            return RawHTTPServer.answer(status: 400, headers: ["Content-Type: application/json"],
                                        body: #"{"message":"bad client \#(secret) with token raw-token-123456"}"#)
        }
        let client = try ESMClient(configuration: ESMClientConfiguration(
            baseURL: "http://127.0.0.1:\(server.port)", clientID: "client-a", clientSecret: secret),
            urlGuard: try OutboundURLGuard(privateAllowList: "127.0.0.1:\(server.port)"))
        let error = try #require(throws: ESMError.self) { try client.listPlants() }
        #expect(error.kind == .clientError)
        #expect(error.esmReason == "bad client *** with token ***")
        for text in renderings(of: error) {
            #expect(!text.contains(secret))
            #expect(!text.contains("raw-token-123456"))
        }
        let tokenRequest = try #require(server.requestHeads.first)
        #expect(tokenRequest.contains("Authorization: Basic "))
        #expect(!tokenRequest.contains(secret))   // only inside the Basic credentials
    }

    /// The secret straddling the 300-character cut, base64-encoded, form-encoded, and as the
    /// Basic credentials: none of it survives in the reason.
    @Test func secretAcrossTheCutAndInEncodedFormsIsScrubbed() throws {
        let secret = "p@ss word/+=Secret-\(UUID().uuidString.prefix(8))"
        let form = ESMClient.formEncode(secret), basic = Data("client-a:\(form)".utf8).base64EncodedString()
        let padding = String(repeating: "x", count: 300 - 10)   // the secret starts 10 characters before the cut
        let body = padding + secret + " b64=" + Data(secret.utf8).base64EncodedString() + " form=" + form + " basic=" + basic
        let server = try RawHTTPServer { head, _ in
            if head.hasPrefix("POST /oauth/token") { return RawHTTPServer.tokenAnswer }
            return RawHTTPServer.answer(status: 400, headers: ["Content-Type: application/json"],
                                        body: #"{"message":"\#(body)"}"#)
        }
        let client = try ESMClient(configuration: ESMClientConfiguration(
            baseURL: "http://127.0.0.1:\(server.port)", clientID: "client-a", clientSecret: secret),
            urlGuard: try OutboundURLGuard(privateAllowList: "127.0.0.1:\(server.port)"))
        let error = try #require(throws: ESMError.self) { try client.listPlants() }
        let reason = try #require(error.esmReason)
        #expect(reason.hasPrefix(padding + "***"), "\(reason.suffix(40))")
        for text in renderings(of: error) + [reason] {
            #expect(!text.contains(secret.prefix(10)), "the secret's first part survives in: \(text.suffix(60))")
            #expect(!text.contains(Data(secret.utf8).base64EncodedString().prefix(12)))
            #expect(!text.contains(form.prefix(12)))
        }
        // Past the cut too: every form is replaced in the whole text.
        #expect(client.scrub(body, secrets: []) == padding + "*** b64=*** form=*** basic=***")
    }

    @Test func commandWithAnUnsafeMessageIdIsRefusedBeforeSending() throws {
        let fixture = try ESMTestFixture()
        let error = try #require(throws: ESMError.self) {
            try fixture.client.sendCommand(plantID: ESMTestFixture.plant1, command: ESMTestFixture.command("a\r\nX-Evil: 1"))
        }
        #expect(error.kind == .invalidConfiguration)
        #expect(fixture.simulator.stats.commandsReceived == 0)
    }

    func captureErrors(_ body: () throws -> Void) -> [String] {
        do {
            try body()
            Issue.record("expected an error")
            return []
        } catch {
            return renderings(of: error)
        }
    }
}
