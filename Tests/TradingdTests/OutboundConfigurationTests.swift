import Foundation
import Testing
@testable import Tradingd

/// The partners' allow list under its new name and its old one, and the CA file setting.
@Suite struct OutboundConfigurationTests {
    @Test func bothAllowListNamesWorkAndAreMerged() throws {
        let old = try Configuration.load(environment: ["TRADINGD_ESM_PRIVATE_ALLOW": "127.0.0.1:8081"])
        #expect(old.outboundPrivateAllow == "127.0.0.1:8081")
        let both = try Configuration.load(environment: ["TRADINGD_ESM_PRIVATE_ALLOW": "127.0.0.1:8081",
                                                        "TRADINGD_OUTBOUND_PRIVATE_ALLOW": "localhost:9000, 127.0.0.1:9001"])
        #expect(both.outboundPrivateAllow == "localhost:9000,127.0.0.1:9001,127.0.0.1:8081")
        let urlGuard = try Application.makeOutboundClient(both, logger: .silent).urlGuard
        #expect(urlGuard.allowList.map(\.description).sorted() == ["127.0.0.1:8081", "127.0.0.1:9001", "localhost:9000"])
        #expect(try Configuration.load(environment: [:]).outboundPrivateAllow == "")
    }

    @Test func aCAFileThatLibsslCannotLoadIsAConfigurationProblem() throws {
        let notPEM = FileManager.default.temporaryDirectory.appendingPathComponent("tradingd-ca-\(UUID().uuidString).pem").path
        try "not a certificate\n".write(toFile: notPEM, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: notPEM) }
        for path in [notPEM, "/nonexistent/ca.pem"] {
            let error = try #require(throws: ConfigurationError.self) {
                try Configuration.load(environment: ["TRADINGD_OUTBOUND_CA_FILE": path])
            }
            #expect(error.description.contains("TRADINGD_OUTBOUND_CA_FILE outboundCAFile: cannot be used as a CA file"), "\(error)")
        }
        // The system bundle is a valid CA file.
        let bundle = try Configuration.load(environment: ["TRADINGD_OUTBOUND_CA_FILE": "/etc/ssl/certs/ca-certificates.crt"])
        #expect(bundle.outboundCAFile == "/etc/ssl/certs/ca-certificates.crt")
        #expect(try Configuration.load(environment: [:]).outboundCAFile == nil)
    }
}
