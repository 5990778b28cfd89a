import Foundation
import Testing
import TestSupport
@testable import HTTPServer
import JSON

/// Every answer under a family's prefix is in that family's envelope, the listener's own included
/// (the parser's 400, 413, 431, 501, 505, the 408 of a slow client, the router's 404 and 405),
/// while answers outside every prefix keep the default shape.
@Suite(.serialized) struct FamilyEnvelopeTests {
    static let prefix = FamilyRenderer.prefix

    /// Sends `raw` on a new connection and returns the answer's status and JSON body.
    static func exchange(_ raw: String, limits: ServerLimits = ServerLimits()) throws -> (status: Int, body: [String: JSONValue]) {
        let server = try TestServer(limits: limits)
        defer { server.stop() }
        let client = try server.connect()
        _ = client.send(raw)
        let response = try client.readResponse()
        let body = try #require(JSONValue.parse(response.body)?.objectValue, "not a JSON object: \(response.text)")
        return (response.status, body)
    }

    @Test(arguments: [
        ("GET \(prefix)/items/%ZZ HTTP/1.1\r\nHost: h\r\n\r\n", 400, "BAD_REQUEST"),
        ("GET \(prefix)/items/1?q=%ZZ HTTP/1.1\r\nHost: h\r\n\r\n", 400, "BAD_REQUEST"),
        ("POST \(prefix)/items HTTP/1.1\r\nHost: h\r\nContent-Length: 2000000\r\n\r\n", 413, "PAYLOAD_TOO_LARGE"),
        ("GET \(prefix)/items/1 HTTP/1.1\r\nHost: h\r\nX-Big: \(String(repeating: "a", count: 20_000))\r\n\r\n", 431, "HEADERS_TOO_LARGE"),
        ("POST \(prefix)/items HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", 501, "NOT_IMPLEMENTED"),
        ("GET \(prefix)/items/1 HTTP/3.0\r\nHost: h\r\n\r\n", 505, "HTTP_VERSION_NOT_SUPPORTED"),
        ("GET http://h\(prefix)/items/%ZZ HTTP/1.1\r\nHost: h\r\n\r\n", 400, "BAD_REQUEST"),
        ("GET \(prefix)/nothing-here HTTP/1.1\r\nHost: h\r\n\r\n", 404, "NOT_FOUND"),
        ("DELETE \(prefix)/items/1 HTTP/1.1\r\nHost: h\r\n\r\n", 405, "METHOD_NOT_ALLOWED"),
    ])
    func lowLevelErrorsUnderThePrefixUseTheFamilysEnvelope(raw: String, status: Int, code: String) throws {
        let (answer, body) = try Self.exchange(raw)
        #expect(answer == status)
        #expect(body["family"] == .bool(true), "\(body)")
        #expect(body["status"] == .number(Double(status)))
        #expect(body["code"] == .string(code))
        #expect(body["message"]?.stringValue?.first?.isUppercase == true, "a sentence for people: \(body)")
    }

    @Test func aSlowRequestUnderThePrefixTimesOutInTheFamilysEnvelope() throws {
        var limits = ServerLimits()
        limits.headerReadTimeout = .milliseconds(300)
        let (status, body) = try Self.exchange("GET \(Self.prefix)/items/1 HTTP/1.1\r\nHost: h\r\n", limits: limits)
        #expect(status == 408)
        #expect(body["family"] == .bool(true))
        #expect(body["code"] == .string("REQUEST_TIMEOUT"))
    }

    @Test func aBodyOverTheLimitNamesTheLimit() throws {
        let (_, body) = try Self.exchange("POST \(Self.prefix)/items HTTP/1.1\r\nHost: h\r\nContent-Length: 2000000\r\n\r\n")
        #expect(body["message"] == .string("Request body too large: at most 1048576 bytes"))
    }

    @Test(arguments: [
        "GET /items/%ZZ HTTP/1.1\r\nHost: h\r\n\r\n",
        "GET /api/v1/familyx/%ZZ HTTP/1.1\r\nHost: h\r\n\r\n",
        "BROKEN\r\n\r\n",
    ])
    func answersOutsideEveryPrefixKeepTheDefaultShape(raw: String) throws {
        let (status, body) = try Self.exchange(raw)
        #expect(status == 400)
        #expect(body["family"] == nil)
        #expect(body["code"] == .string("BAD_REQUEST"))
        #expect(body["error"]?.stringValue != nil)
    }

    @Test func aHigherHTTP1MinorVersionIsServedAsHTTP11() throws {
        let server = try TestServer()
        defer { server.stop() }
        let client = try server.connect()
        _ = client.send("GET \(Self.prefix)/items/7 HTTP/1.2\r\nHost: h\r\n\r\nGET \(Self.prefix)/items/8 HTTP/1.9\r\nHost: h\r\n\r\n")
        let first = try client.readResponse()
        let second = try client.readResponse()
        #expect(first.status == 200)
        #expect(first.text == "family item 7")
        #expect(second.text == "family item 8")
        #expect(!client.closedByPeer, "kept alive like HTTP/1.1")
    }
}
