import Foundation
import Glibc
import Testing
import TestSupport
@testable import HTTPServer

/// HTTP/1.x behaviour of the real listener over loopback.
@Suite(.serialized) struct ServerProtocolTests {
    @Test func everyResponseCarriesTheStandardHeaders() throws {
        let fixture = try TestServer()
        defer { fixture.stop() }
        let response = try RawClient.get("/healthz", port: fixture.port)
        #expect(response.status == 200)
        #expect(response.text == "ok")
        #expect(response.headers["Server"] == "tradingd")
        #expect(response.headers["Content-Length"] == "2")
        #expect(response.headers["Content-Type"] == "text/plain; charset=utf-8")
        #expect(response.headers["Date"]?.hasSuffix(" GMT") == true)
        let generated = try #require(response.headers["X-Request-Id"])
        #expect(generated.count == 32 && generated.allSatisfy(\.isHexDigit))

        let echoed = try RawClient.get("/healthz", port: fixture.port, headers: "X-Request-Id: client-abc.123\r\n")
        #expect(echoed.headers["X-Request-Id"] == "client-abc.123")
        let tooLong = String(repeating: "a", count: 129)
        let replaced = try RawClient.get("/healthz", port: fixture.port, headers: "X-Request-Id: \(tooLong)\r\n")
        #expect(replaced.headers["X-Request-Id"]?.count == 32)
        let spaced = try RawClient.get("/healthz", port: fixture.port, headers: "X-Request-Id: a b\r\n")
        #expect(spaced.headers["X-Request-Id"] != "a b")

        #expect(TestServer.eventually { fixture.records.withLock { $0.count } == 4 })
        let record = try #require(fixture.records.withLock { $0.first { $0.requestID == "client-abc.123" } })
        #expect(record.routePattern == "/healthz" && record.status == 200 && record.method == "GET")
    }

    @Test func pipelinedRequestsAreAnsweredInOrder() throws {
        let fixture = try TestServer()
        defer { fixture.stop() }
        let client = try fixture.connect()
        client.send("GET /slow?ms=150 HTTP/1.1\r\nHost: t\r\n\r\n"
                    + "GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n"
                    + "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\n\r\nabc"
                    + "GET /items/7 HTTP/1.1\r\nHost: t\r\n\r\n"
                    + "HEAD /items/8 HTTP/1.1\r\nHost: t\r\n\r\n"
                    + "GET /slow?ms=1 HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(try client.readResponse().text == "slept 150")
        #expect(try client.readResponse().text == "ok")
        #expect(try client.readResponse().text == "abc")
        #expect(try client.readResponse().text == "item 7")
        let head = try client.readResponse(headRequest: true)
        #expect(head.status == 200 && head.headers["Content-Length"] == "6")
        #expect(try client.readResponse().text == "slept 1")
    }

    @Test func aPipeliningClientThatReadsLateGetsEveryResponse() throws {
        var limits = ServerLimits()
        limits.maxPendingOutputBytes = 2048
        let fixture = try TestServer(limits: limits)
        defer { fixture.stop() }
        let client = try RawClient(port: fixture.port, receiveBuffer: 4096)
        let count = 5000
        // /healthz runs on the event loop, so responses pile up as fast as requests are parsed.
        let requests = (0..<count).map { "GET /healthz HTTP/1.1\r\nHost: t\r\nX-Request-Id: n\($0)\r\n\r\n" }.joined()
        // Sent from another thread: the server stops reading while its responses pile up unread.
        let fd = client.fd
        let sender = Thread { RawClient.send(Array(requests.utf8), on: fd) }
        sender.start()
        usleep(500_000)
        for index in 0..<count {
            #expect(try client.readResponse().headers["X-Request-Id"] == "n\(index)")
        }
        #expect(fixture.servesOthers())
    }

    @Test func http10ClosesUnlessKeepAlive() throws {
        let fixture = try TestServer()
        defer { fixture.stop() }
        let plain = try fixture.connect(timeout: 2)
        plain.send("GET /healthz HTTP/1.0\r\n\r\n")
        let first = try plain.readResponse()
        #expect(first.status == 200 && first.headers["Connection"] == "close")
        #expect(plain.waitForClose())

        let kept = try fixture.connect(timeout: 2)
        kept.send("GET /healthz HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
        #expect(try kept.readResponse().headers["Connection"] == "keep-alive")
        kept.send("GET /items/1 HTTP/1.0\r\n\r\n")
        #expect(try kept.readResponse().text == "item 1")
        #expect(kept.waitForClose())

        let closing = try fixture.connect(timeout: 2)
        closing.send("GET /healthz HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
        #expect(try closing.readResponse().headers["Connection"] == "close")
        #expect(closing.waitForClose())
    }

    @Test func notFoundDiffersFromMethodNotAllowed() throws {
        let fixture = try TestServer()
        defer { fixture.stop() }
        let client = try fixture.connect()
        client.send("GET /nowhere HTTP/1.1\r\nHost: t\r\n\r\nPUT /items/3 HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\n\r\n")
        #expect(try client.readResponse().status == 404)
        let notAllowed = try client.readResponse()
        #expect(notAllowed.status == 405)
        #expect(notAllowed.headers["Allow"] == "GET, DELETE, HEAD")
        client.send("DELETE /items/3 HTTP/1.1\r\nHost: t\r\n\r\n")
        let deleted = try client.readResponse()
        #expect(deleted.status == 204 && deleted.headers["Content-Length"] == nil)
    }

    @Test func chunkedBodiesAreDecoded() throws {
        let fixture = try TestServer()
        defer { fixture.stop() }
        let client = try fixture.connect()
        client.send("POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nWiki\r\n")
        usleep(50_000)
        client.send("5;note=x\r\npedia\r\n0\r\n\r\n")
        #expect(try client.readResponse().text == "Wikipedia")
    }

    @Test func expectContinueIsAnswered() throws {
        let fixture = try TestServer()
        defer { fixture.stop() }
        let client = try fixture.connect()
        client.send("POST /echo HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n")
        #expect(try client.readResponse().status == 100)
        client.send("data")
        #expect(try client.readResponse().text == "data")

        var limits = ServerLimits()
        limits.maxBodyBytes = 10
        let small = try TestServer(limits: limits)
        defer { small.stop() }
        let refused = try small.connect()
        refused.send("POST /echo HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 11\r\n\r\n")
        #expect(try refused.readResponse().status == 413)
    }

    @Test func unexpectedErrorsBecomeAGeneric500() throws {
        let fixture = try TestServer()
        defer { fixture.stop() }
        let response = try RawClient.get("/crash", port: fixture.port)
        #expect(response.status == 500)
        #expect(response.text == #"{"code":"INTERNAL_ERROR","error":"Internal server error"}"#)
        #expect(TestServer.eventually { fixture.records.withLock { $0.contains { $0.failure?.contains("CocoaError") == true } } })
    }

    @Test func jsonBodiesAreCheckedOverTheWire() throws {
        let fixture = try TestServer()
        defer { fixture.stop() }
        func post(_ body: [UInt8]) throws -> RawResponse {
            let client = try fixture.connect()
            client.send(Array("POST /json HTTP/1.1\r\nHost: t\r\nContent-Length: \(body.count)\r\n\r\n".utf8) + body)
            return try client.readResponse()
        }
        #expect(try post(Array(#"{"a":[1,2]}"#.utf8)).text == #"{"a":[1,2]}"#)
        let notUTF8 = try post([0x22, 0xFF, 0xFE, 0x22])
        #expect(notUTF8.status == 400 && notUTF8.text.contains("not valid UTF-8"))
        let deep = try post(Array((String(repeating: "{\"a\":", count: 5000) + "1" + String(repeating: "}", count: 5000)).utf8))
        #expect(deep.status == 400 && deep.text.contains("nesting deeper than 32"))
        #expect(fixture.servesOthers())
    }
}

@Suite struct ResponseSerializerTests {
    @Test func handlerHeadersCannotBreakTheFraming() {
        let response = Response(status: 200, headers: [
            "X-Fine": "yes", "X-Injected": "a\r\nSet-Cookie: evil", "Bad Name": "v",
            "Content-Length": "999", "Connection": "keep-alive", "Content-Type": "application/json",
        ], body: Array("{}".utf8))
        var output: [UInt8] = []
        ResponseSerializer.write(response, context: .init(requestID: "rid", keepAlive: false, minorVersion: 1, isHead: false),
                                 date: Array("Mon, 23 Nov 2026 10:00:00 GMT".utf8), serverName: "tradingd", into: &output)
        let text = String(decoding: output, as: UTF8.self)
        #expect(text == "HTTP/1.1 200 OK\r\nX-Fine: yes\r\nContent-Type: application/json\r\nContent-Length: 2\r\n"
                + "Date: Mon, 23 Nov 2026 10:00:00 GMT\r\nServer: tradingd\r\nX-Request-Id: rid\r\nConnection: close\r\n\r\n{}")
    }
}

@Suite struct IPv6ListenerTests {
    @Test func servesOnIPv6Loopback() throws {
        var router = Router()
        router.get("/healthz", execution: .eventLoop) { request in .text(request.remoteAddress) }
        let server = HTTPServer(configuration: HTTPServerConfiguration(host: "::1", port: 0, eventLoopCount: 1, workerCount: 1),
                                router: router)
        let port = try server.start()
        defer { server.stop(grace: .seconds(1)) }
        let fd = socket(AF_INET6, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in6()
        address.sin6_family = sa_family_t(AF_INET6)
        address.sin6_port = UInt16(port).bigEndian
        address.sin6_addr = in6addr_loopback
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in6>.size)) }
        }
        try #require(connected == 0)
        let request = Array("GET /healthz HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n".utf8)
        _ = request.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, 0) }
        var received: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            guard count > 0 else { break }
            received += chunk[0..<count]
        }
        #expect(String(decoding: received, as: UTF8.self).hasSuffix("\r\n\r\n[::1]:" + String(ephemeralPortOf: fd)))
    }
}

extension String {
    /// The local port of a connected socket, as text.
    fileprivate init(ephemeralPortOf fd: Int32) {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        _ = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        self = String(Socket.port(of: storage))
    }
}
