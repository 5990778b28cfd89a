import Foundation
import OutboundHTTP
import OutboundTestSupport
import Testing

/// The outbound HTTP/1.1 client against a raw server: body framings, keep-alive, limits.
@Suite(.timeLimit(.minutes(1)))
struct HTTPClientTests {
    static func client(for server: RawHTTPServer, maxResponseBytes: Int = 1 << 20) throws -> OutboundHTTPClient {
        OutboundHTTPClient(urlGuard: try OutboundURLGuard(privateAllowList: "127.0.0.1:\(server.port)"),
                           maxResponseBytes: maxResponseBytes)
    }

    static func get(_ server: RawHTTPServer, path: String = "/x") -> HTTPClientRequest {
        HTTPClientRequest(method: "GET", scheme: "http", host: "127.0.0.1", port: server.port, path: path)
    }

    @Test func readsAChunkedBody() throws {
        let server = try RawHTTPServer { _, _ in
            RawHTTPServer.Answer(bytes: Array("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n7\r\n, world\r\n0\r\nX-Trailer: t\r\n\r\n".utf8))
        }
        let client = try Self.client(for: server)
        let response = try client.send(Self.get(server))
        #expect(response.status == 200)
        #expect(String(decoding: response.body, as: UTF8.self) == "hello, world")
        _ = try client.send(Self.get(server))
        #expect(server.connectionCount == 1)   // chunked framing keeps the connection usable
    }

    @Test func readsABodyDelimitedByClose() throws {
        let server = try RawHTTPServer { _, _ in
            RawHTTPServer.Answer(bytes: Array("HTTP/1.0 200 OK\r\n\r\nuntil the end".utf8), close: true)
        }
        let client = try Self.client(for: server)
        #expect(String(decoding: try client.send(Self.get(server)).body, as: UTF8.self) == "until the end")
        #expect(String(decoding: try client.send(Self.get(server)).body, as: UTF8.self) == "until the end")
        #expect(server.connectionCount == 2)
    }

    @Test func reusesKeepAliveConnectionsAndSendsHostAndLength() throws {
        let server = try RawHTTPServer { _, body in RawHTTPServer.answer(body: "got \(body.count)") }
        let client = try Self.client(for: server)
        for index in 0..<5 {
            var request = Self.get(server, path: "/p?i=\(index)")
            request.method = "POST"
            request.body = Array("abc".utf8)
            #expect(String(decoding: try client.send(request).body, as: UTF8.self) == "got 3")
        }
        #expect(server.connectionCount == 1)
        let head = try #require(server.requestHeads.first)
        #expect(head.hasPrefix("POST /p?i=0 HTTP/1.1\r\n"))
        #expect(head.contains("\r\nHost: 127.0.0.1:\(server.port)"))
        #expect(head.contains("\r\nContent-Length: 3"))
    }

    @Test func retriesOnAFreshConnectionWhenThePooledOneWasClosed() throws {
        // Answers keep-alive style but closes right after: the pooled connection is dead.
        let server = try RawHTTPServer { _, _ in
            var answer = RawHTTPServer.answer(body: "ok")
            answer.close = true
            return answer
        }
        let client = try Self.client(for: server)
        for _ in 0..<3 { #expect(String(decoding: try client.send(Self.get(server)).body, as: UTF8.self) == "ok") }
        #expect(server.connectionCount == 3)
        #expect(server.requestHeads.count == 3)   // each request arrived once
    }

    @Test func refusesAnOversizedAnswer() throws {
        let server = try RawHTTPServer { _, _ in RawHTTPServer.answer(body: String(repeating: "x", count: 5000)) }
        let client = try Self.client(for: server, maxResponseBytes: 1000)
        let error = try #require(throws: HTTPClientError.self) { try client.send(Self.get(server)) }
        #expect(error.kind == .invalidResponse)
        #expect(error.message.contains("exceeds 1000"))
    }

    @Test func refusesAnAnswerThatIsNotHTTP() throws {
        let server = try RawHTTPServer { _, _ in RawHTTPServer.Answer(bytes: Array("SSH-2.0-OpenSSH\r\n\r\n".utf8), close: true) }
        let error = try #require(throws: HTTPClientError.self) { try Self.client(for: server).send(Self.get(server)) }
        #expect(error.kind == .invalidResponse)
    }

    @Test func refusesHeaderInjection() throws {
        let server = try RawHTTPServer { _, _ in RawHTTPServer.answer(body: "ok") }
        var request = Self.get(server)
        request.headers = [("Idempotency-Key", "abc\r\nX-Evil: 1")]
        let error = try #require(throws: HTTPClientError.self) { try Self.client(for: server).send(request) }
        #expect(error.kind == .invalidRequest)
        #expect(server.requestHeads.isEmpty)
    }

    @Test func doesNotFollowRedirects() throws {
        let server = try RawHTTPServer { _, _ in RawHTTPServer.answer(status: 302, headers: ["Location: http://169.254.169.254/"], body: "") }
        let response = try Self.client(for: server).send(Self.get(server))
        #expect(response.status == 302)
        #expect(server.requestHeads.count == 1)
    }

    @Test func timesOutWhenTheServerNeverAnswers() throws {
        let server = try RawHTTPServer { _, _ in
            Thread.sleep(forTimeInterval: 2)
            return RawHTTPServer.answer(body: "late")
        }
        let started = Date()
        let error = try #require(throws: HTTPClientError.self) {
            try Self.client(for: server).send(Self.get(server), timeouts: .init(connect: .seconds(1), request: .milliseconds(200)))
        }
        #expect(error.kind == .timeout)
        #expect(Date().timeIntervalSince(started) < 1.5)
    }
}
