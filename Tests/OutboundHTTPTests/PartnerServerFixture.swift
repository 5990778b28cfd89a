import Foundation
import OutboundHTTP
import OutboundTestSupport

/// A hostile partner on loopback, over plain HTTP or TLS (certificates from `TestCertificates`),
/// and a client set up the way tradingd's are, except that the URL guard's resolver maps the test
/// name to 127.0.0.1 and that name's port is allow-listed. The name is in no DNS, so a request
/// that reaches the server went to the address the guard returned, not to a second lookup.
struct PartnerServerFixture {
    let server: RawHTTPServer
    let client: OutboundHTTPClient
    let scheme: String
    let lookups = Counter()

    static let name = TestCertificates.serverName

    /// - Parameter certificate: the server's certificate when `secure` (default: the one the test
    ///   CA issued for `name`).
    init(secure: Bool, certificate: TestCertificates.Pair? = nil, maxResponseBytes: Int = 1 << 20,
         handler: @escaping RawHTTPServer.Handler) throws {
        let certificates = try TestCertificates.shared()
        scheme = secure ? "https" : "http"
        server = try RawHTTPServer(tls: secure ? try (certificate ?? certificates.server).serverContext() : nil, handler: handler)
        let lookups = self.lookups
        let urlGuard = try OutboundURLGuard(privateAllowList: "\(Self.name):\(server.port)") { host in
            lookups.increment()
            guard host == Self.name else { throw OutboundURLError(.unresolvable, "no such host \(host)") }
            return [IPAddress(v4: 127, 0, 0, 1)]
        }
        client = OutboundHTTPClient(urlGuard: urlGuard, trust: try OutboundTrust.certificateFile(certificates.caFile),
                                    maxResponseBytes: maxResponseBytes)
    }

    func request(_ path: String = "/plants", method: String = "GET") -> HTTPClientRequest {
        HTTPClientRequest(method: method, scheme: scheme, host: Self.name, port: server.port, path: path)
    }

    func send(_ path: String = "/plants", timeouts: OutboundHTTPClient.Timeouts = .init(connect: .seconds(2), request: .seconds(10)))
        throws(HTTPClientError) -> HTTPClientResponse {
        try client.send(request(path), timeouts: timeouts)
    }
}


extension RawHTTPServer.Answer {
    /// A head, then `then` streaming whatever the test wants.
    static func head(_ lines: [String], status: Int = 200, then: (@Sendable (ServerConnection) -> Void)? = nil) -> Self {
        let text = "HTTP/1.1 \(status) X\r\n" + lines.map { $0 + "\r\n" }.joined() + "\r\n"
        return Self(bytes: Array(text.utf8), close: true, then: then)
    }
}
