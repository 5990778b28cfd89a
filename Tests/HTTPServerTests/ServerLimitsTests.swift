import Foundation
import Glibc
import Testing
import TestSupport
@testable import HTTPServer

/// Hostile and broken clients against the real listener; after each, others are still served.
@Suite(.serialized) struct ServerLimitsTests {
    static func shortLimits() -> ServerLimits {
        var limits = ServerLimits()
        limits.maxHeadBytes = 2048
        limits.maxBodyBytes = 4096
        limits.headerReadTimeout = .milliseconds(1500)
        limits.bodyReadTimeout = .milliseconds(1500)
        limits.idleTimeout = .seconds(30)
        limits.lingerTimeout = .milliseconds(500)
        return limits
    }

    @Test(arguments: [
        ("GET / HTTP/1.1\r\nHost: t\r\nNo colon here\r\n\r\n", 400),
        ("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd", 400),
        ("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\nabc", 400),
        ("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400),
        ("POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", 501),
        ("GET /healthz HTTP/1.1\r\nHost: t\r\nX-Evil: a\0b\r\n\r\n", 400),
        ("GET /healthz HTTP/1.1\r\nHost: t\r\nX-Evil: a\rSet-Cookie: x\r\n\r\n", 400),
        ("GET /items/a\r\nX: y HTTP/1.1\r\nHost: t\r\n\r\n", 400),
        ("GET /items/%0d%0aSet-Cookie:x HTTP/1.1\r\nHost: t\r\n\r\n", 400),
        ("GET /items/%zz HTTP/1.1\r\nHost: t\r\n\r\n", 400),
        ("GET /items/%C3%28 HTTP/1.1\r\nHost: t\r\n\r\n", 400),
        ("GET /items/1?q=%00 HTTP/1.1\r\nHost: t\r\n\r\n", 400),
        ("GE\u{1}T / HTTP/1.1\r\nHost: t\r\n\r\n", 400),
        ("GET / HTTP/1.1\r\nHost: t\r\nX: a\r\n\tfolded\r\n\r\n", 400),
        ("GET / HTTP/3.0\r\nHost: t\r\n\r\n", 505),
    ])
    func malformedRequestsGetAnErrorAndTheConnectionCloses(text: String, status: Int) throws {
        let fixture = try TestServer(limits: Self.shortLimits())
        defer { fixture.stop() }
        let client = try fixture.connect(timeout: 3)
        client.send(text)
        let response = try client.readResponse()
        #expect(response.status == status)
        #expect(response.headers["X-Request-Id"] != nil)
        #expect(client.waitForClose())
        #expect(fixture.servesOthers())
    }

    @Test func oversizedHeadersAre431AndBodies413() throws {
        let fixture = try TestServer(limits: Self.shortLimits())
        defer { fixture.stop() }
        let big = try fixture.connect()
        big.send("GET /healthz HTTP/1.1\r\nHost: t\r\nX-Big: \(String(repeating: "x", count: 4000))\r\n\r\n")
        #expect(try big.readResponse().status == 431)
        #expect(big.waitForClose())

        let many = try fixture.connect()
        let fields = (0..<150).map { "X-\($0): 1\r\n" }.joined()
        many.send("GET /healthz HTTP/1.1\r\nHost: t\r\n\(fields)\r\n")
        #expect(try many.readResponse().status == 431)

        let body = try fixture.connect()
        body.send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 4097\r\n\r\n")
        #expect(try body.readResponse().status == 413)
        #expect(body.waitForClose())

        let chunked = try fixture.connect()
        chunked.send("POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n1000\r\n"
                     + String(repeating: "y", count: 4096) + "\r\n1\r\nz\r\n0\r\n\r\n")
        #expect(try chunked.readResponse().status == 413)
        #expect(fixture.servesOthers())
    }

    @Test func aClientSendingOneBytePerSecondIsCutOffWhileOthersAreServed() throws {
        let fixture = try TestServer(limits: Self.shortLimits())
        defer { fixture.stop() }
        let slow = try fixture.connect(timeout: 0.05)
        let request = Array("GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n".utf8)
        var sent = 0
        var servedMeanwhile = 0
        var response: RawResponse?
        let started = Date()
        while response == nil && Date().timeIntervalSince(started) < 6 {
            if sent < request.count, slow.send([request[sent]]) { sent += 1 }
            if fixture.servesOthers() { servedMeanwhile += 1 }
            response = try? slow.readResponse()
            usleep(950_000)
        }
        // 1.5 s of header timeout at one byte per second: cut off after two or three bytes.
        #expect(response?.status == 408)
        #expect(sent < 5)
        #expect(servedMeanwhile >= 1)
        slow.setTimeout(2)
        #expect(slow.waitForClose())
        #expect(fixture.servesOthers())
    }

    @Test func aClientDisconnectingMidBodyIsForgotten() throws {
        let fixture = try TestServer(limits: Self.shortLimits())
        defer { fixture.stop() }
        for _ in 0..<20 {
            let client = try fixture.connect()
            client.send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 1000\r\n\r\n" + String(repeating: "a", count: 300))
        }
        #expect(fixture.servesOthers())
        #expect(TestServer.eventually { fixture.server.openConnections == 0 })
        // The same while a handler is running: its late result goes nowhere.
        let leaving = try fixture.connect()
        leaving.send("GET /slow?ms=200 HTTP/1.1\r\nHost: t\r\n\r\n")
        _ = leaving
        #expect(fixture.servesOthers())
    }

    /// Bodies are read before any handler (authentication included) runs: the bytes held across
    /// all connections are bounded, and the connection that would pass the bound gets 503
    /// (docs/RELIABILITY.md, item 14).
    @Test func requestBytesHeldAcrossConnectionsAreBounded() throws {
        var limits = Self.shortLimits()
        limits.maxBodyBytes = 3000
        limits.maxBufferedRequestBytes = 5000
        let fixture = try TestServer(limits: limits)
        defer { fixture.stop() }
        let head = "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 3000\r\n\r\n"
        // Two slow clients each send most of a body: together over the 5,000 bytes...
        let first = try fixture.connect(), second = try fixture.connect()
        first.send(head + String(repeating: "a", count: 2600))
        #expect(TestServer.eventually { fixture.server.heldRequestBytes >= 2600 })
        second.send(head + String(repeating: "b", count: 2600))
        let refused = try second.readResponse()
        #expect(refused.status == 503)
        #expect(refused.text.contains("Too many request bytes"), "\(refused.text)")
        #expect(second.waitForClose())
        // ... the first still completes, and once it is answered the bytes are free again.
        first.send(String(repeating: "a", count: 400))
        #expect(try first.readResponse().body.count == 3000)
        #expect(TestServer.eventually { fixture.server.heldRequestBytes == 0 })
        let third = try fixture.connect()
        third.send(head + String(repeating: "c", count: 3000))
        #expect(try third.readResponse().status == 200)
        #expect(fixture.servesOthers())
    }

    /// A job still queued when its client got the budget's 503 is dropped, never run late (a
    /// retried `POST` would otherwise apply twice) (docs/RELIABILITY.md, item 11).
    @Test func aQueuedRequestWhoseBudgetRanOutIsNeverRun() throws {
        var limits = Self.shortLimits()
        limits.handlerTimeBudget = .milliseconds(400)
        let fixture = try TestServer(limits: limits, workers: 1)
        defer { fixture.stop() }
        let busy = try fixture.connect()
        busy.send("GET /slow?ms=1500 HTTP/1.1\r\nHost: t\r\n\r\n")   // holds the only worker
        Thread.sleep(forTimeInterval: 0.1)
        let queued = try fixture.connect()
        queued.send("POST /apply HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\n\r\n")
        #expect(try queued.readResponse().status == 503)
        #expect(try busy.readResponse().status == 503)
        Thread.sleep(forTimeInterval: 1.6)   // the worker is free again: the queued job would run now
        #expect(fixture.applied.value == 0)
        let fresh = try fixture.connect()
        fresh.send("POST /apply HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\n\r\n")
        #expect(try fresh.readResponse().status == 200)
        #expect(fixture.applied.value == 1)
    }

    @Test func connectionsOverTheLimitGet503() throws {
        var limits = Self.shortLimits()
        limits.maxConnections = 5
        let fixture = try TestServer(limits: limits)
        defer { fixture.stop() }
        var held: [RawClient] = []
        for _ in 0..<5 {
            let client = try fixture.connect()
            client.send("GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n")
            #expect(try client.readResponse().status == 200)
            held.append(client)
        }
        let refused = try fixture.connect()
        let response = try refused.readResponse()
        #expect(response.status == 503)
        #expect(response.headers["Connection"] == "close")
        #expect(refused.waitForClose())
        // The held connections still work, and a slot freed is usable again.
        held[0].send("GET /items/1 HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(try held[0].readResponse().text == "item 1")
        held.removeLast()
        #expect(TestServer.eventually { fixture.server.openConnections == 4 })
        #expect(fixture.servesOthers())
    }

    @Test func aThousandIdleKeepAliveConnectionsDoNotStopOthers() throws {
        raiseDescriptorLimit(to: 4096)
        var limits = Self.shortLimits()
        limits.maxConnections = 2000
        let fixture = try TestServer(limits: limits)
        defer { fixture.stop() }
        let threadsBefore = processThreadCount()
        var idle: [RawClient] = []
        for _ in 0..<1000 {
            let client = try fixture.connect()
            client.send("GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n")
            #expect(try client.readResponse().status == 200)
            idle.append(client)
        }
        #expect(TestServer.eventually { fixture.server.openConnections == 1000 })
        let other = try fixture.connect()
        for index in 0..<200 {
            other.send("GET /items/\(index) HTTP/1.1\r\nHost: t\r\n\r\n")
            #expect(try other.readResponse().text == "item \(index)")
        }
        // The listener's threads are fixed: no thread per connection (the margin covers servers
        // that tests running in parallel start meanwhile).
        #expect(processThreadCount() - threadsBefore < 100)
        idle[999].send("GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(try idle[999].readResponse().status == 200)
    }

    @Test func aHandlerOverItsBudgetGets503AndOthersAreServed() throws {
        var limits = Self.shortLimits()
        limits.handlerTimeBudget = .milliseconds(300)
        let fixture = try TestServer(limits: limits)
        defer { fixture.stop() }
        let client = try fixture.connect()
        let started = Date()
        client.send("GET /slow?ms=1500 HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(fixture.servesOthers())
        let response = try client.readResponse()
        #expect(response.status == 503)
        #expect(response.text.contains("HANDLER_TIMEOUT"))
        #expect(Date().timeIntervalSince(started) < 1.4)
        #expect(client.waitForClose())
        #expect(fixture.records.withLock { records in
            records.contains { $0.status == 503 && $0.routePattern == "/slow" && $0.failure == "handler time budget exceeded" }
        })
    }

    @Test func aSilentNewConnectionIsClosedAfterTheHeaderTimeout() throws {
        var limits = Self.shortLimits()
        limits.headerReadTimeout = .milliseconds(300)
        let fixture = try TestServer(limits: limits)
        defer { fixture.stop() }
        let silent = try fixture.connect(timeout: 3)
        #expect(silent.waitForClose())
        #expect(TestServer.eventually { fixture.server.openConnections == 0 })
    }

    @Test func idleConnectionsCloseAfterTheIdleTimeout() throws {
        var limits = Self.shortLimits()
        limits.idleTimeout = .milliseconds(300)
        let fixture = try TestServer(limits: limits)
        defer { fixture.stop() }
        let client = try fixture.connect(timeout: 3)
        client.send("GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(try client.readResponse().status == 200)
        #expect(client.waitForClose())
    }

    @Test func stopLetsRequestsInProgressFinish() throws {
        let fixture = try TestServer(limits: Self.shortLimits())
        let busy = try fixture.connect()
        busy.send("GET /slow?ms=400 HTTP/1.1\r\nHost: t\r\n\r\n")
        let idle = try fixture.connect(timeout: 2)
        idle.send("GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(try idle.readResponse().status == 200)
        usleep(50_000)
        let stopped = Thread { fixture.server.stop(grace: .seconds(5)) }
        stopped.start()
        let response = try busy.readResponse()
        #expect(response.text == "slept 400")
        #expect(response.headers["Connection"] == "close")
        #expect(idle.waitForClose())
        #expect(TestServer.eventually { (try? RawClient(port: fixture.port)) == nil })
    }
}

@Suite struct ServerLifecycleTests {
    @Test func runServesUntilCancelled() async throws {
        var router = Router()
        router.get("/healthz", execution: .eventLoop) { _ in .text("ok") }
        let server = HTTPServer(configuration: HTTPServerConfiguration(port: 0, eventLoopCount: 1, workerCount: 1),
                                router: router)
        // Started here rather than inside the task: with every cooperative thread busy in
        // parallel blocking tests, the task might not run before a deadline.
        let port = try server.start()
        let task = Task { try await server.run(grace: .seconds(1)) }
        #expect(try RawClient.get("/healthz", port: port).status == 200)
        task.cancel()
        try await task.value
        #expect((try? RawClient(port: port)) == nil)
    }

    @Test func addressesParseInBothFamilies() {
        #expect(HTTPServerConfiguration.parseAddress("127.0.0.1:8080")! == ("127.0.0.1", 8080))
        #expect(HTTPServerConfiguration.parseAddress("[::1]:9000")! == ("::1", 9000))
        #expect(HTTPServerConfiguration.parseAddress("127.0.0.1") == nil)
        #expect(HTTPServerConfiguration.parseAddress("h:70000") == nil)
    }
}
