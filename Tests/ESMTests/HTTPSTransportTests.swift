import ESM
import Foundation
import Testing

/// `https://` goes through URLSession after the guard's check; here only what needs no TLS
/// server: the guard still decides, and a refused port is a retriable "unreachable".
@Suite(.timeLimit(.minutes(1)))
struct HTTPSTransportTests {
    @Test func httpsToARefusedPortIsUnreachable() throws {
        let server = try RawHTTPServer { _, _ in RawHTTPServer.answer(body: "") }
        let port = server.port
        let client = OutboundHTTPClient(urlGuard: try OutboundURLGuard(privateAllowList: "127.0.0.1:1"))
        let request = HTTPClientRequest(method: "GET", scheme: "https", host: "127.0.0.1", port: 1, path: "/")
        let error = try #require(throws: HTTPClientError.self) { try client.send(request) }
        #expect(error.kind == .unreachable)
        // Not allow-listed: refused by the guard before URLSession sees it.
        let refused = HTTPClientRequest(method: "GET", scheme: "https", host: "127.0.0.1", port: port, path: "/")
        let guardError = try #require(throws: HTTPClientError.self) { try client.send(refused) }
        #expect(guardError.kind == .forbidden)
        #expect(server.connectionCount == 0)
    }

    /// The raw server waits for an HTTP head that a TLS ClientHello never completes.
    @Test func httpsToAPlainHTTPServerFailsWithinTheTimeout() throws {
        let server = try RawHTTPServer { _, _ in RawHTTPServer.answer(body: "plain") }
        let client = OutboundHTTPClient(urlGuard: try OutboundURLGuard(privateAllowList: "127.0.0.1:\(server.port)"))
        let request = HTTPClientRequest(method: "GET", scheme: "https", host: "127.0.0.1", port: server.port, path: "/")
        let error = try #require(throws: HTTPClientError.self) {
            try client.send(request, timeouts: .init(connect: .seconds(1), request: .seconds(1)))
        }
        #expect(error.kind == .timeout)
        #expect(server.connectionCount == 1)
    }
}

/// A real TLS server (`openssl s_server`) with a self-signed certificate: URLSession verifies
/// certificates, so the request fails instead of talking to an unverified server.
@Suite(.timeLimit(.minutes(1)))
struct HTTPSCertificateTests {
    @Test func untrustedCertificateIsRefused() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("esm-tls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let key = folder.appendingPathComponent("key.pem").path, cert = folder.appendingPathComponent("cert.pem").path
        let generate = try run("/usr/bin/openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert,
                                                    "-days", "1", "-subj", "/CN=127.0.0.1"])
        generate.waitUntilExit()
        try #require(generate.terminationStatus == 0, "openssl could not make a certificate")
        let port = Int.random(in: 40_000...50_000)
        let server = try run("/usr/bin/openssl", ["s_server", "-accept", "127.0.0.1:\(port)", "-cert", cert, "-key", key, "-www", "-quiet"])
        defer {   // s_server ignores SIGTERM while it serves
            kill(server.processIdentifier, SIGKILL)
            server.waitUntilExit()
        }
        let client = OutboundHTTPClient(urlGuard: try OutboundURLGuard(privateAllowList: "127.0.0.1:\(port)"))
        let request = HTTPClientRequest(method: "GET", scheme: "https", host: "127.0.0.1", port: port, path: "/")
        var lastError: HTTPClientError?
        for _ in 0..<50 {   // until s_server listens
            do {
                _ = try client.send(request, timeouts: .init(connect: .seconds(1), request: .seconds(3)))
                Issue.record("an untrusted certificate was accepted")
                return
            } catch {
                lastError = error
                if error.kind != .unreachable { break }
                Thread.sleep(forTimeInterval: 0.1)
            }
        }
        #expect(lastError?.kind == .invalidResponse, "\(String(describing: lastError))")
        #expect(lastError?.message.contains("certificate") == true, "\(String(describing: lastError))")
    }

    func run(_ executable: String, _ arguments: [String]) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }
}
