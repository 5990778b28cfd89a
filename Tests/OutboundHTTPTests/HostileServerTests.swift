import Foundation
import OutboundHTTP
import OutboundTestSupport
import Testing

/// Issue 16 items 5 and 6: a partner server that tries to crash tradingd or exhaust its memory,
/// over plain HTTP and over TLS (the argument), each against a real server on loopback.
@Suite(.timeLimit(.minutes(2)))
struct HostileServerTests {
    /// The chunk sizes that trapped `body.count + size` (a first chunk makes `body.count` > 0),
    /// that overflow `Int` while parsing, or that are merely far over the cap.
    @Test(arguments: [false, true], ["7fffffffffffffff", "ffffffffffffffff", "10000000000000000", "fffffffffffffff",
                                     "00000000000000000000000000000000007fffffffffffffff"])
    func aHugeChunkSizeIsAClearErrorNotATrap(secure: Bool, size: String) throws {
        let f = try PartnerServerFixture(secure: secure) { _, _ in
            .head(["Transfer-Encoding: chunked"]) { connection in
                connection.send("1\r\na\r\n\(size)\r\n")
                connection.send([UInt8](repeating: 0x62, count: 4096))
            }
        }
        let error = try #require(throws: HTTPClientError.self) { try f.send() }
        #expect(error.kind == .invalidResponse)
        #expect(error.message.contains("would exceed 1048576 bytes"), "\(error.message)")
        #expect(f.server.waitForReports(1).count == 1)   // the client closed the connection
    }

    /// An endless body, close-delimited or chunked: the client stops at the cap while reading and
    /// closes the connection, so the server cannot push more than the cap plus the socket buffers.
    @Test(arguments: [false, true], ["close-delimited", "chunked"])
    func anEndlessBodyIsCutOffAtTheCapWhileReading(secure: Bool, framing: String) throws {
        let block = [UInt8](repeating: 0x7b, count: 64 * 1024)
        let limit = 256 << 20   // what the server tries to send
        let f = try PartnerServerFixture(secure: secure, maxResponseBytes: 1 << 20) { _, _ in
            .head(framing == "chunked" ? ["Transfer-Encoding: chunked"] : ["Content-Type: application/json"]) { connection in
                let piece = framing == "chunked" ? Array("10000\r\n".utf8) + block + Array("\r\n".utf8) : block
                while connection.bytesSent < limit && connection.send(piece) {}
            }
        }
        let started = Date()
        let error = try #require(throws: HTTPClientError.self) { try f.send() }
        #expect(error.kind == .invalidResponse)
        #expect(error.message.contains("exceed"), "\(error.message)")
        let report = try #require(f.server.waitForReports(1).first)
        #expect(report.peerClosedWhileSending, "the client kept the connection open")
        // Loopback socket buffers hold a few MiB at most; a client that buffered everything would
        // have let the server send all 256 MiB.
        #expect(report.bytesSent < 32 << 20, "the server sent \(report.bytesSent) bytes")
        #expect(Date().timeIntervalSince(started) < 10)
    }

    @Test(arguments: [false, true])
    func aContentLengthOverTheCapIsRefusedBeforeTheBody(secure: Bool) throws {
        let f = try PartnerServerFixture(secure: secure, maxResponseBytes: 1 << 20) { _, _ in
            .head(["Content-Length: 10737418240"]) { connection in
                for _ in 0..<64 where connection.send([UInt8](repeating: 0, count: 64 * 1024)) {}
            }
        }
        let error = try #require(throws: HTTPClientError.self) { try f.send() }
        #expect(error.message.contains("exceeds 1048576"), "\(error.message)")
        #expect(f.server.waitForReports(1).first?.peerClosedWhileSending == true)
    }

    /// Item 6: the client asks for identity and refuses any content coding instead of decoding it.
    @Test(arguments: [false, true])
    func aCompressedBodyIsRefusedNotDecoded(secure: Bool) throws {
        let json = Array(#"{"plants":[{"id":"p1"}]}"#.utf8)
        let gzipped = try Gzip.compress(json)
        let f = try PartnerServerFixture(secure: secure) { _, _ in
            RawHTTPServer.answer(headers: ["Content-Type: application/json", "Content-Encoding: gzip"], body: gzipped)
        }
        let error = try #require(throws: HTTPClientError.self) { try f.send() }
        #expect(error.kind == .invalidResponse)
        #expect(error.message.contains("Content-Encoding: gzip"), "\(error.message)")
        let head = try #require(f.server.requestHeads.first)
        #expect(head.contains("\r\nAccept-Encoding: identity"))
    }

    /// A gzip bomb (64 MiB of zeros in about 64 KiB) costs what its compressed bytes cost: it is
    /// refused at the head, before any of it is inflated or even read.
    @Test(arguments: [false, true])
    func aGzipBombCostsNothing(secure: Bool) throws {
        let bomb = try Gzip.zeros(megabytes: 64)
        #expect(bomb.count < 200_000)
        let f = try PartnerServerFixture(secure: secure, maxResponseBytes: 4 << 20) { _, _ in
            RawHTTPServer.answer(headers: ["Content-Encoding: gzip"], body: bomb)
        }
        let error = try #require(throws: HTTPClientError.self) { try f.send() }
        #expect(error.message.contains("Content-Encoding"), "\(error.message)")
        for coding in ["deflate", "br", "x-gzip", "identity, gzip"] {
            let coded = try PartnerServerFixture(secure: secure) { _, _ in
                RawHTTPServer.answer(headers: ["Content-Encoding: \(coding)"], body: "x")
            }
            #expect(throws: HTTPClientError.self, "\(coding)") { try coded.send() }
        }
        let identity = try PartnerServerFixture(secure: secure) { _, _ in
            RawHTTPServer.answer(headers: ["Content-Encoding: identity"], body: "plain")
        }
        #expect(String(decoding: try identity.send().body, as: UTF8.self) == "plain")
    }

    /// A 3xx comes back as it is: nothing follows the `Location`, not even to the same server.
    @Test(arguments: [false, true])
    func aRedirectIsReturnedNotFollowed(secure: Bool) throws {
        let f = try PartnerServerFixture(secure: secure) { head, _ in
            head.hasPrefix("GET /moved") ? RawHTTPServer.answer(body: "followed")
                : RawHTTPServer.answer(status: 302, headers: ["Location: /moved"], body: "")
        }
        let metadata = try PartnerServerFixture(secure: secure) { _, _ in
            RawHTTPServer.answer(status: 307, headers: ["Location: http://169.254.169.254/latest/meta-data/"], body: "")
        }
        let response = try f.send()
        #expect(response.status == 302)
        #expect(response.header("location") == "/moved")
        #expect(f.server.requestHeads.count == 1)
        #expect(try metadata.send().status == 307)
        #expect(metadata.server.requestHeads.count == 1)
    }

    /// One deadline for the whole exchange: a server that sends one byte every 50 ms never runs
    /// into a per-read timeout, but it does into this one.
    @Test(arguments: [false, true])
    func aTricklingServerIsCutOffAtTheTotalDeadline(secure: Bool) throws {
        let f = try PartnerServerFixture(secure: secure) { _, _ in
            .head(["Content-Length: 1000"]) { connection in
                for _ in 0..<200 {
                    guard connection.send("x") else { return }
                    Thread.sleep(forTimeInterval: 0.05)
                }
            }
        }
        let started = Date()
        let error = try #require(throws: HTTPClientError.self) {
            try f.send(timeouts: .init(connect: .seconds(2), request: .milliseconds(600)))
        }
        let elapsed = Date().timeIntervalSince(started)
        #expect(error.kind == .timeout, "\(error)")
        #expect(elapsed >= 0.5 && elapsed < 2, "\(elapsed)")
        let report = try #require(f.server.waitForReports(1).first)
        #expect(report.bytesSent < 200, "the server sent every byte")
    }

    /// Over TLS, a body delimited by the end of the connection is complete only with close_notify:
    /// a bare TCP close may be an attacker cutting it short.
    @Test func aTLSBodyEndedWithoutCloseNotifyIsRefused() throws {
        let f = try PartnerServerFixture(secure: true) { _, _ in
            .head(["Content-Type: text/plain"]) { connection in
                connection.send("partial")
                connection.endWithoutCloseNotify()
            }
        }
        let error = try #require(throws: HTTPClientError.self) { try f.send() }
        #expect(error.message.contains("close_notify"), "\(error.message)")
        let clean = try PartnerServerFixture(secure: true) { _, _ in
            RawHTTPServer.Answer(bytes: Array("HTTP/1.1 200 OK\r\n\r\ncomplete".utf8), close: true)
        }
        #expect(String(decoding: try clean.send().body, as: UTF8.self) == "complete")
    }
}
