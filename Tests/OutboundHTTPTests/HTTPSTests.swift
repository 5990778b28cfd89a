import Foundation
import OutboundHTTP
import OutboundTestSupport
import Testing

/// `https://` on the project's own client (issue 16 item 7): TLS from libssl on a socket
/// connected to the address the URL guard checked, with the certificate and name verified.
/// Each test runs a real TLS server on loopback with certificates made at test time.
@Suite(.timeLimit(.minutes(1)))
struct HTTPSTests {
    /// The name exists only in the guard's resolver, so reaching the server proves that the TLS
    /// connection went to the address the guard returned, with one lookup per request and no
    /// second resolution behind the guard's back. Keep-alive works over TLS too.
    @Test func connectsToTheCheckedAddressAndVerifiesTheServer() throws {
        let f = try PartnerServerFixture(secure: true) { head, _ in RawHTTPServer.answer(body: "hello over tls: \(head.count)") }
        let first = try f.send()
        #expect(first.status == 200)
        #expect(String(decoding: first.body, as: UTF8.self).hasPrefix("hello over tls"))
        _ = try f.send()
        #expect(f.lookups.value == 2)
        #expect(f.server.connectionCount == 1)
        let head = try #require(f.server.requestHeads.first)
        #expect(head.contains("\r\nHost: \(PartnerServerFixture.name):\(f.server.port)"))
    }

    /// DNS rebinding: the name is public when the URL is accepted and loopback when the client
    /// connects. The connect-time check refuses it, nothing reaches the server (although it
    /// listens on loopback), and the error does not name the address.
    @Test func aNameThatRebindsToAPrivateAddressIsRefusedAtConnectTime() throws {
        let certificates = try TestCertificates.shared()
        let server = try RawHTTPServer(tls: try certificates.server.serverContext()) { _, _ in RawHTTPServer.answer(body: "reached") }
        let lookups = Counter()
        let urlGuard = OutboundURLGuard { _ in
            lookups.increment()
            return lookups.value == 1 ? [IPAddress(v4: 93, 184, 216, 34)] : [IPAddress(v4: 127, 0, 0, 1)]
        }
        let validated = try urlGuard.check(url: "https://\(PartnerServerFixture.name):\(server.port)/")
        #expect(validated.addresses == [IPAddress(v4: 93, 184, 216, 34)])
        let client = OutboundHTTPClient(urlGuard: urlGuard, trust: try OutboundTrust.certificateFile(certificates.caFile))
        let error = try #require(throws: HTTPClientError.self) {
            try client.send(HTTPClientRequest(method: "GET", url: validated, path: "/"))
        }
        #expect(error.kind == .forbidden)
        #expect(!error.message.contains("127.0.0.1"))
        #expect(error.detail?.contains("127.0.0.1") == true)
        #expect(lookups.value == 2)
        #expect(server.connectionCount == 0)
    }

    @Test func aSelfSignedCertificateIsRefused() throws {
        let certificates = try TestCertificates.shared()
        let f = try PartnerServerFixture(secure: true, certificate: certificates.selfSigned) { _, _ in RawHTTPServer.answer(body: "x") }
        let error = try #require(throws: HTTPClientError.self) { try f.send() }
        #expect(error.kind == .tls)
        #expect(error.message.contains("not trusted"), "\(error.message)")
        #expect(!error.mayHaveBeenSent)
        #expect(f.server.requestHeads.isEmpty)
    }

    @Test func aCertificateForAnotherNameIsRefused() throws {
        let certificates = try TestCertificates.shared()
        let f = try PartnerServerFixture(secure: true, certificate: certificates.otherName) { _, _ in RawHTTPServer.answer(body: "x") }
        let error = try #require(throws: HTTPClientError.self) { try f.send() }
        #expect(error.kind == .tls)
        #expect(error.message.contains("not issued for this host"), "\(error.message)")
        #expect(f.server.requestHeads.isEmpty)
    }

    /// The system trust store is the default, and it does not know the test CA.
    @Test func theSystemTrustStoreIsTheDefault() throws {
        let certificates = try TestCertificates.shared()
        let server = try RawHTTPServer(tls: try certificates.server.serverContext()) { _, _ in RawHTTPServer.answer(body: "x") }
        let client = OutboundHTTPClient(urlGuard: try OutboundURLGuard(privateAllowList: "127.0.0.1:\(server.port)"))
        let error = try #require(throws: HTTPClientError.self) {
            try client.send(HTTPClientRequest(method: "GET", scheme: "https", host: "127.0.0.1", port: server.port, path: "/"))
        }
        #expect(error.kind == .tls)
        #expect(server.requestHeads.isEmpty)
    }

    /// An IP literal is verified against the certificate's IP addresses (and sent without SNI).
    @Test func anIPLiteralIsVerifiedAgainstTheCertificatesAddresses() throws {
        let certificates = try TestCertificates.shared()
        let server = try RawHTTPServer(tls: try certificates.server.serverContext()) { _, _ in RawHTTPServer.answer(body: "by ip") }
        let otherServer = try RawHTTPServer(tls: try certificates.otherName.serverContext()) { _, _ in RawHTTPServer.answer(body: "x") }
        let client = OutboundHTTPClient(
            urlGuard: try OutboundURLGuard(privateAllowList: "127.0.0.1:\(server.port),127.0.0.1:\(otherServer.port)"),
            trust: try OutboundTrust.certificateFile(certificates.caFile))
        let ok = try client.send(HTTPClientRequest(method: "GET", scheme: "https", host: "127.0.0.1", port: server.port, path: "/"))
        #expect(String(decoding: ok.body, as: UTF8.self) == "by ip")
        let error = try #require(throws: HTTPClientError.self) {
            try client.send(HTTPClientRequest(method: "GET", scheme: "https", host: "127.0.0.1", port: otherServer.port, path: "/"))
        }
        #expect(error.kind == .tls)
    }

    @Test func httpsToARefusedPortIsUnreachableAndTheGuardStillDecides() throws {
        let server = try RawHTTPServer { _, _ in RawHTTPServer.answer(body: "") }
        let client = OutboundHTTPClient(urlGuard: try OutboundURLGuard(privateAllowList: "127.0.0.1:1"))
        let error = try #require(throws: HTTPClientError.self) {
            try client.send(HTTPClientRequest(method: "GET", scheme: "https", host: "127.0.0.1", port: 1, path: "/"))
        }
        #expect(error.kind == .unreachable)
        let refused = HTTPClientRequest(method: "GET", scheme: "https", host: "127.0.0.1", port: server.port, path: "/")
        let guardError = try #require(throws: HTTPClientError.self) { try client.send(refused) }
        #expect(guardError.kind == .forbidden)
        #expect(server.connectionCount == 0)
    }

    /// A plain HTTP server waits for a request head that a TLS ClientHello never completes: the
    /// handshake is bounded by the deadline.
    @Test func httpsToAPlainHTTPServerFailsWithinTheTimeout() throws {
        let server = try RawHTTPServer { _, _ in RawHTTPServer.answer(body: "plain") }
        let client = OutboundHTTPClient(urlGuard: try OutboundURLGuard(privateAllowList: "127.0.0.1:\(server.port)"))
        let request = HTTPClientRequest(method: "GET", scheme: "https", host: "127.0.0.1", port: server.port, path: "/")
        let started = Date()
        let error = try #require(throws: HTTPClientError.self) {
            try client.send(request, timeouts: .init(connect: .seconds(1), request: .seconds(1)))
        }
        #expect(error.kind == .timeout)
        #expect(Date().timeIntervalSince(started) < 2)
        #expect(server.connectionCount == 1)
    }

    @Test func aMissingCAFileIsReportedWhenLoaded() throws {
        let error = try #require(throws: HTTPClientError.self) { try OutboundTrust.certificateFile("/nonexistent/ca.pem") }
        #expect(error.kind == .tls)
        #expect(error.message.contains("/nonexistent/ca.pem"))
    }
}
