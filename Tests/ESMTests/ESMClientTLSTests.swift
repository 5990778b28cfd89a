import ESM
import Foundation
import OutboundTestSupport
import Testing

/// The ESM client over `https` on the project's own client: a real TLS server on loopback with a
/// certificate from the test CA, reached through the address the URL guard returned.
@Suite(.timeLimit(.minutes(1)))
struct ESMClientTLSTests {
    static let name = TestCertificates.serverName

    static func client(for server: RawHTTPServer, maxAttempts: Int = 1) throws -> ESMClient {
        let certificates = try TestCertificates.shared()
        let urlGuard = try OutboundURLGuard(privateAllowList: "\(name):\(server.port)") { _ in [IPAddress(v4: 127, 0, 0, 1)] }
        let http = OutboundHTTPClient(urlGuard: urlGuard, trust: try OutboundTrust.certificateFile(certificates.caFile))
        return try ESMClient(configuration: ESMClientConfiguration(
            baseURL: "https://\(name):\(server.port)/esm", clientID: "client-a", clientSecret: ESMTestFixture.secret,
            maxAttempts: maxAttempts, retryDelay: .milliseconds(1)), client: http)
    }

    @Test func tokenAndPlantsOverTLS() throws {
        let server = try RawHTTPServer(tls: try TestCertificates.shared().server.serverContext()) { head, _ in
            if head.hasPrefix("POST /esm/oauth/token") { return RawHTTPServer.tokenAnswer }
            return RawHTTPServer.answer(headers: ["Content-Type: application/json"],
                                        body: #"[{"id":"p1","name":"Plant one","state":"ONLINE"},{"id":"p2","name":"Plant two","state":"ONLINE"}]"#)
        }
        let plants = try Self.client(for: server).listPlants()
        #expect(plants.map(\.id) == ["p1", "p2"])
        #expect(server.connectionCount == 1)   // token and call on one kept-alive TLS connection
        #expect(server.requestHeads.last?.contains("Authorization: Bearer raw-token-123456") == true)
    }

    /// A redirect (to the metadata service, say) is an unusable answer, not a hop.
    @Test func aRedirectFromTheESMIsAnErrorNotAHop() throws {
        let server = try RawHTTPServer(tls: try TestCertificates.shared().server.serverContext()) { head, _ in
            if head.hasPrefix("POST /esm/oauth/token") { return RawHTTPServer.tokenAnswer }
            return RawHTTPServer.answer(status: 301, headers: ["Location: http://169.254.169.254/"], body: "")
        }
        let error = try #require(throws: ESMError.self) { try Self.client(for: server, maxAttempts: 3).listPlants() }
        #expect(error.kind == .invalidResponse)
        #expect(error.status == 301)
        #expect(server.requestHeads.count == 2)   // the token and one GET, nothing after
    }

    @Test func anUntrustedESMIsRefused() throws {
        let server = try RawHTTPServer(tls: try TestCertificates.shared().selfSigned.serverContext()) { _, _ in RawHTTPServer.tokenAnswer }
        let error = try #require(throws: ESMError.self) { try Self.client(for: server).listPlants() }
        #expect(error.kind == .invalidResponse)
        #expect(error.message.contains("not trusted"), "\(error.message)")
        #expect(server.requestHeads.isEmpty)
    }
}
