import Foundation
import OutboundTestSupport
import Testing

/// Issue 16 item 7: no environment variable steers an outbound call. `outbound-fetch` (the
/// outbound client in a process of its own, so this test's environment stays untouched) runs
/// with every proxy variable pointing at a listening "proxy", and with `SSL_CERT_FILE` naming the
/// test CA: the requests go straight to the servers, the proxy sees no connection, and the test
/// CA is not trusted unless given explicitly.
@Suite(.timeLimit(.minutes(1)))
struct ProxyEnvironmentTests {
    static let name = TestCertificates.serverName

    static func binary() throws -> String {
        let candidates = [
            URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("outbound-fetch").path,
            URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
                .appendingPathComponent(".build/debug/outbound-fetch").path,
        ]
        return try #require(candidates.first { FileManager.default.isExecutableFile(atPath: $0) },
                            "outbound-fetch not built (swift build builds every product): \(candidates)")
    }

    static func run(_ arguments: [String], environment: [String: String]) throws -> (status: Int32, output: String, errors: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try binary())
        process.arguments = arguments
        process.environment = environment
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let output = out.fileHandleForReading.readDataToEndOfFile(), errors = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: output, as: UTF8.self), String(decoding: errors, as: UTF8.self))
    }

    static func hostileEnvironment(proxyPort: Int, certificateFile: String) -> [String: String] {
        let proxy = "http://127.0.0.1:\(proxyPort)"
        var environment = ["PATH": "/usr/bin:/bin", "NO_PROXY": "", "no_proxy": "",
                           "SSL_CERT_FILE": certificateFile, "SSL_CERT_DIR": "/nonexistent"]
        for variable in ["http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"] {
            environment[variable] = proxy
        }
        return environment
    }

    @Test func proxyVariablesAreIgnored() throws {
        let certificates = try TestCertificates.shared()
        let proxy = try RawHTTPServer { _, _ in RawHTTPServer.answer(body: "through the proxy") }
        let secure = try RawHTTPServer(tls: try certificates.server.serverContext()) { _, _ in RawHTTPServer.answer(body: "direct tls") }
        let plain = try RawHTTPServer { _, _ in RawHTTPServer.answer(body: "direct plain") }
        let environment = Self.hostileEnvironment(proxyPort: proxy.port, certificateFile: certificates.caFile)
        let common = ["--allow", "\(Self.name):\(secure.port),\(Self.name):\(plain.port)", "--resolve", "\(Self.name)=127.0.0.1",
                      "--timeout-ms", "5000"]
        let https = try Self.run(["https://\(Self.name):\(secure.port)/plants", "--ca-file", certificates.caFile] + common,
                                 environment: environment)
        #expect(https.status == 0, "\(https.errors)")
        #expect(https.output == "direct tls")
        let http = try Self.run(["http://\(Self.name):\(plain.port)/plants"] + common, environment: environment)
        #expect(http.status == 0, "\(http.errors)")
        #expect(http.output == "direct plain")
        #expect(proxy.connectionCount == 0)
        #expect(secure.requestHeads.count == 1 && plain.requestHeads.count == 1)
    }

    /// `SSL_CERT_FILE` names the test CA here; the system store is read from its compiled-in
    /// paths, so the test CA is still not trusted.
    @Test func sslCertFileDoesNotChangeTheTrustStore() throws {
        let certificates = try TestCertificates.shared()
        let proxy = try RawHTTPServer { _, _ in RawHTTPServer.answer(body: "through the proxy") }
        let secure = try RawHTTPServer(tls: try certificates.server.serverContext()) { _, _ in RawHTTPServer.answer(body: "direct tls") }
        let result = try Self.run(["https://\(Self.name):\(secure.port)/", "--allow", "\(Self.name):\(secure.port)",
                                   "--resolve", "\(Self.name)=127.0.0.1", "--timeout-ms", "5000"],
                                  environment: Self.hostileEnvironment(proxyPort: proxy.port, certificateFile: certificates.caFile))
        #expect(result.status == 1)
        #expect(result.errors.contains("not trusted"), "\(result.errors)")
        #expect(secure.requestHeads.isEmpty)
        #expect(proxy.connectionCount == 0)
    }
}
