import OutboundTestSupport
import Testing
import TLS

/// Client and server sessions talking through memory only (no socket): the handshake, data both
/// ways, the certificate checks, and how an end of stream is reported.
@Suite(.timeLimit(.minutes(1)))
struct TLSSessionTests {
    /// Moves ciphertext between the two sessions until both handshakes are done or one fails.
    static func handshake(_ client: TLSSession, _ server: TLSSession) throws(TLSError) {
        var clientDone = false, serverDone = false
        for _ in 0..<20 {
            if !clientDone { clientDone = try client.handshake() == .done }
            server.receive(client.takeOutgoing()[...])
            if !serverDone { serverDone = try server.handshake() == .done }
            client.receive(server.takeOutgoing()[...])
            if clientDone && serverDone { return }
        }
        Issue.record("the handshake did not finish")
    }

    static func readAll(_ session: TLSSession) throws -> [UInt8] {
        var out: [UInt8] = []
        while case .bytes = try session.read(into: &out) {}
        return out
    }

    static func pair(server pair: TestCertificates.Pair, name: String, isIP: Bool = false,
                     trust: TLSTrust? = nil) throws -> (TLSSession, TLSSession) {
        let certificates = try TestCertificates.shared()
        let clientContext = try TLSContext.client(trust: trust ?? .certificateFile(certificates.caFile))
        let client = try TLSSession.client(clientContext, serverName: name, isIPAddress: isIP)
        let server = try TLSSession.server(try pair.serverContext())
        return (client, server)
    }

    @Test func handshakeAndDataBothWays() throws {
        let certificates = try TestCertificates.shared()
        let (client, server) = try Self.pair(server: certificates.server, name: TestCertificates.serverName)
        try Self.handshake(client, server)
        #expect(client.protocolVersion == "TLSv1.3")
        let request = Array("GET / HTTP/1.1\r\nHost: x\r\n\r\n".utf8)
        try client.write(request[...])
        server.receive(client.takeOutgoing()[...])
        #expect(try Self.readAll(server) == request)
        let answer = [UInt8](repeating: 0x61, count: 100_000)   // several records
        try server.write(answer[...])
        client.receive(server.takeOutgoing()[...])
        #expect(try Self.readAll(client) == answer)
    }

    @Test func verifiesAnIPAddressAgainstTheCertificatesIPNames() throws {
        let certificates = try TestCertificates.shared()
        let (client, server) = try Self.pair(server: certificates.server, name: "127.0.0.1", isIP: true)
        try Self.handshake(client, server)
        let (wrongClient, wrongServer) = try Self.pair(server: certificates.server, name: "127.0.0.2", isIP: true)
        let error = try #require(throws: TLSError.self) { try Self.handshake(wrongClient, wrongServer) }
        #expect(error.kind == .nameMismatch)
    }

    @Test func refusesACertificateForAnotherName() throws {
        let certificates = try TestCertificates.shared()
        let (client, server) = try Self.pair(server: certificates.otherName, name: TestCertificates.serverName)
        let error = try #require(throws: TLSError.self) { try Self.handshake(client, server) }
        #expect(error.kind == .nameMismatch)
        #expect(error.message.contains("not issued for this host"))
    }

    @Test func refusesASelfSignedCertificate() throws {
        let certificates = try TestCertificates.shared()
        let (client, server) = try Self.pair(server: certificates.selfSigned, name: TestCertificates.serverName)
        let error = try #require(throws: TLSError.self) { try Self.handshake(client, server) }
        #expect(error.kind == .untrustedCertificate)
        #expect(error.message.contains("not trusted"))
    }

    /// The system store does not know the test CA.
    @Test func theSystemStoreDoesNotTrustTheTestCA() throws {
        let certificates = try TestCertificates.shared()
        let (client, server) = try Self.pair(server: certificates.server, name: TestCertificates.serverName, trust: .systemStore)
        let error = try #require(throws: TLSError.self) { try Self.handshake(client, server) }
        #expect(error.kind == .untrustedCertificate)
    }

    @Test func reportsCloseNotifyAndATruncatedStreamApart() throws {
        let certificates = try TestCertificates.shared()
        let (client, server) = try Self.pair(server: certificates.server, name: TestCertificates.serverName)
        try Self.handshake(client, server)
        try server.write(Array("bye".utf8)[...])
        server.close()
        client.receive(server.takeOutgoing()[...])
        var buffer: [UInt8] = []
        #expect(try client.read(into: &buffer) == .bytes(3))
        #expect(try client.read(into: &buffer) == .closed(cleanly: true))

        let (client2, server2) = try Self.pair(server: certificates.server, name: TestCertificates.serverName)
        try Self.handshake(client2, server2)
        try server2.write(Array("cut".utf8)[...])
        client2.receive(server2.takeOutgoing()[...])
        #expect(try client2.read(into: &buffer) == .bytes(3))
        #expect(try client2.read(into: &buffer) == .needsInput)
        client2.receiveEndOfStream()
        #expect(try client2.read(into: &buffer) == .closed(cleanly: false))
    }

    @Test func refusesGarbageAsAHandshake() throws {
        let certificates = try TestCertificates.shared()
        let context = try TLSContext.client(trust: .certificateFile(certificates.caFile))
        let client = try TLSSession.client(context, serverName: TestCertificates.serverName, isIPAddress: false)
        #expect(try client.handshake() == .needsInput)
        client.receive(Array("HTTP/1.1 400 Bad Request\r\n\r\n".utf8)[...])
        let error = try #require(throws: TLSError.self) { try client.handshake() }
        #expect(error.kind == .handshakeFailed)
    }

    @Test func aMissingCAFileIsAConfigurationError() throws {
        let error = try #require(throws: TLSError.self) { try TLSContext.client(trust: .certificateFile("/nonexistent/ca.pem")) }
        #expect(error.kind == .configuration)
        #expect(error.message.contains("/nonexistent/ca.pem"))
    }
}
