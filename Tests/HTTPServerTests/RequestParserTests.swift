import Testing
@testable import HTTPServer

@Suite struct RequestParserTests {
    static let pipelined = Array((
        "GET /a?x=1 HTTP/1.1\r\nHost: h\r\nX-Request-Id: one\r\n\r\n"
        + "POST /b HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhello"
        + "PUT /c HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2;ext=1\r\nde\r\n0\r\nT: v\r\n\r\n"
        + "GET /d HTTP/1.0\r\n\r\n"
    ).utf8)

    @Test func pipelinedRequestsParseTheSameAtEverySplit() throws {
        let expected = [
            ParsedRequest(method: "GET", path: "/a", query: "x=1",
                          headers: [HeaderField(name: "Host", value: "h"), HeaderField(name: "X-Request-Id", value: "one")]),
            ParsedRequest(method: "POST", path: "/b", headers: [HeaderField(name: "Host", value: "h"),
                                                                HeaderField(name: "Content-Length", value: "5")],
                          body: Array("hello".utf8)),
            ParsedRequest(method: "PUT", path: "/c", headers: [HeaderField(name: "Host", value: "h"),
                                                               HeaderField(name: "Transfer-Encoding", value: "chunked")],
                          body: Array("abcde".utf8)),
            ParsedRequest(method: "GET", path: "/d", minorVersion: 0, keepAlive: false),
        ]
        for actions in actionsForEverySplit(Self.pipelined) {
            #expect(actions == expected.map { .request($0) })
        }
    }

    @Test func expectContinueIsAnnouncedOnceBeforeTheBody() {
        let head = Array("POST /u HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n".utf8)
        var parser = RequestParser()
        #expect(parser.feed(head) == .sendContinue)
        #expect(parser.feed([]) == .needMore)
        guard case .request(let request) = parser.feed(Array("ok".utf8)) else {
            Issue.record("no request")
            return
        }
        #expect(request.body == Array("ok".utf8))
        // Body already on its way with the head: no interim response.
        #expect(parseActions([head + Array("ok".utf8)]).count == 1)
        #expect(rejectStatus(parseActions("POST / HTTP/1.1\r\nHost: h\r\nExpect: later\r\nContent-Length: 1\r\n\r\nx")) == 417)
    }

    @Test(arguments: [
        ("GET / HTTP/1.1\r\nHost h\r\n\r\n", 400),                           // header without colon
        ("GET / HTTP/1.1\r\nHost : h\r\n\r\n", 400),                         // blank before colon
        ("GET / HTTP/1.1\r\nHost: h\r\nX: a\r\n  folded\r\n\r\n", 400),      // obs-fold
        ("GET / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\nabc", 400),
        ("GET / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd", 400),
        ("GET / HTTP/1.1\r\nHost: h\r\nContent-Length: 3, 3\r\n\r\nabc", 400),
        ("GET / HTTP/1.1\r\nHost: h\r\nContent-Length: -1\r\n\r\n", 400),
        ("GET / HTTP/1.1\r\nHost: h\r\nContent-Length: +1\r\n\r\nx", 400),
        ("GET / HTTP/1.1\r\nHost: h\r\nContent-Length: 99999999999999999999\r\n\r\n", 400),
        ("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400),
        ("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n0\r\n\r\n", 400),
        ("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", 501),
        ("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked, gzip\r\n\r\n", 400),
        ("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: identity\r\n\r\n", 400),
        ("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400),
        ("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 400),
        ("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcX\r\n", 400),
        ("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n3 junk\r\nabc\r\n", 400),
        ("GET / HTTP/1.1\r\nHost: h\r\nX: a\0b\r\n\r\n", 400),              // NUL in a value
        ("GET / HTTP/1.1\r\nHost: h\r\nX: a\rb\r\n\r\n", 400),              // bare CR in a value
        ("GET / HTTP/1.1\r\nHost: h\nX: a\r\n\r\n", 400),                   // bare LF line end
        ("GET /a\0b HTTP/1.1\r\nHost: h\r\n\r\n", 400),                     // NUL in the path
        ("GET /a\rb HTTP/1.1\r\nHost: h\r\n\r\n", 400),                     // CR in the path
        ("GET /a b HTTP/1.1\r\nHost: h\r\n\r\n", 400),                      // space in the path
        ("GET /caf\u{e9} HTTP/1.1\r\nHost: h\r\n\r\n", 400),                // raw non-ASCII
        ("GET /a%zz HTTP/1.1\r\nHost: h\r\n\r\n", 400),                     // invalid percent-encoding
        ("GET /a%2 HTTP/1.1\r\nHost: h\r\n\r\n", 400),
        ("GET /a?q=%G1 HTTP/1.1\r\nHost: h\r\n\r\n", 400),
        ("GET /a#frag HTTP/1.1\r\nHost: h\r\n\r\n", 400),
        ("G(T / HTTP/1.1\r\nHost: h\r\n\r\n", 400),                         // bad method token
        (" GET / HTTP/1.1\r\nHost: h\r\n\r\n", 400),
        ("GET  / HTTP/1.1\r\nHost: h\r\n\r\n", 400),
        ("GET / HTTP/1.1 \r\nHost: h\r\n\r\n", 400),
        ("GET / HTTP/2.0\r\nHost: h\r\n\r\n", 505),
        ("GET / HTTP/0.9\r\nHost: h\r\n\r\n", 505),
        ("GET / HTTP/1.2\r\n\r\n", 400),                                     // read as HTTP/1.1: Host required
        ("GET / HTTP/1.10\r\nHost: h\r\n\r\n", 400),
        ("GET / FOO/1.1\r\nHost: h\r\n\r\n", 400),
        ("GET * HTTP/1.1\r\nHost: h\r\n\r\n", 400),                         // asterisk only for OPTIONS
        ("GET example.com:80 HTTP/1.1\r\nHost: h\r\n\r\n", 400),           // authority-form
        ("GET ftp://h/a HTTP/1.1\r\nHost: h\r\n\r\n", 400),
        ("GET http://user@h/a HTTP/1.1\r\nHost: h\r\n\r\n", 400),
        ("GET http:///a HTTP/1.1\r\nHost: h\r\n\r\n", 400),
        ("GET / HTTP/1.1\r\n\r\n", 400),                                     // HTTP/1.1 without Host
        ("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400),
        ("GET / HTTP/1.1\r\n: v\r\nHost: h\r\n\r\n", 400),                   // empty field name
    ])
    func malformedRequestsAreRejectedAtEverySplit(text: String, status: Int) {
        for actions in actionsForEverySplit(Array(text.utf8)) {
            #expect(rejectStatus(actions) == status, "\(text.debugDescription)")
            #expect(requests(actions).isEmpty, "\(text.debugDescription)")
        }
    }

    @Test(arguments: ["HTTP/1.2", "HTTP/1.9"])
    func higherHTTP1MinorVersionsAreReadAsHTTP11(version: String) {
        let actions = parseActions("GET /a \(version)\r\nHost: h\r\n\r\n")
        #expect(actions == [.request(ParsedRequest(method: "GET", path: "/a", minorVersion: 1,
                                                   headers: [HeaderField(name: "Host", value: "h")]))])
    }

    @Test func aRefusedRequestCarriesItsTarget() {
        let actions = parseActions("GET /api/x/%ZZ HTTP/1.1\r\nHost: h\r\n\r\n")
        guard case .reject(let failure) = actions.last else { Issue.record("expected a reject"); return }
        #expect(failure.target == "/api/x/%ZZ")
        let tooLarge = parseActions("POST /api/y HTTP/1.1\r\nHost: h\r\nContent-Length: 99999999\r\n\r\n")
        guard case .reject(let large) = tooLarge.last else { Issue.record("expected a reject"); return }
        #expect(large.status == 413)
        #expect(large.target == "/api/y")
    }

    @Test func parserStaysFailedAfterAReject() {
        var parser = RequestParser()
        guard case .reject = parser.feed(Array("BAD\r\n\r\n".utf8)) else {
            Issue.record("expected a reject")
            return
        }
        guard case .reject = parser.feed(Array("GET / HTTP/1.1\r\nHost: h\r\n\r\n".utf8)) else {
            Issue.record("expected to stay failed")
            return
        }
    }

    @Test func oversizedHeadIs431() {
        let limits = ParserLimits(maxHeadBytes: 64, maxHeaderCount: 3, maxBodyBytes: 10)
        let long = "GET / HTTP/1.1\r\nHost: h\r\nX: " + String(repeating: "a", count: 60) + "\r\n\r\n"
        #expect(rejectStatus(parseActions(long, limits: limits)) == 431)
        // Detected before the end of the head arrives.
        #expect(rejectStatus(parseActions("GET /" + String(repeating: "a", count: 100), limits: limits)) == 431)
        let many = "GET / HTTP/1.1\r\nHost: h\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n"
        #expect(rejectStatus(parseActions(many, limits: limits)) == 431)
        let fits = "GET / HTTP/1.1\r\nHost: h\r\nA: 1\r\nB: 2\r\n\r\n"
        #expect(requests(parseActions(fits, limits: limits)).count == 1)
    }

    @Test func oversizedBodyIs413() {
        let limits = ParserLimits(maxHeadBytes: 1024, maxHeaderCount: 10, maxBodyBytes: 10)
        #expect(rejectStatus(parseActions("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 11\r\n\r\n", limits: limits)) == 413)
        let chunked = "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n6\r\nabcdef\r\n5\r\nghijk\r\n0\r\n\r\n"
        #expect(rejectStatus(parseActions(chunked, limits: limits)) == 413)
        let exact = "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 10\r\n\r\n0123456789"
        #expect(requests(parseActions(exact, limits: limits)).first?.body.count == 10)
    }

    @Test func connectionKeepAliveFollowsVersionAndHeader() {
        let cases: [(String, Bool)] = [
            ("GET / HTTP/1.1\r\nHost: h\r\n\r\n", true),
            ("GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n", false),
            ("GET / HTTP/1.1\r\nHost: h\r\nConnection: Upgrade, CLOSE\r\n\r\n", false),
            ("GET / HTTP/1.0\r\n\r\n", false),
            ("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", true),
        ]
        for (text, keepAlive) in cases {
            #expect(requests(parseActions(text)).first?.keepAlive == keepAlive, "\(text.debugDescription)")
        }
    }

    @Test func targetFormsReduceToPathAndQuery() {
        let absolute = requests(parseActions("GET HTTP://Example.com:8080/p/q?x=%20 HTTP/1.1\r\nHost: h\r\n\r\n"))
        #expect(absolute.first?.path == "/p/q")
        #expect(absolute.first?.query == "x=%20")
        let bare = requests(parseActions("GET http://example.com HTTP/1.1\r\nHost: h\r\n\r\n"))
        #expect(bare.first?.path == "/")
        let options = requests(parseActions("OPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n"))
        #expect(options.first?.path == "*")
        // A leading empty line is tolerated.
        #expect(requests(parseActions("\r\nGET / HTTP/1.1\r\nHost: h\r\n\r\n")).count == 1)
    }

    @Test func headerValuesAreTrimmedAndKeepInnerBlanks() {
        let parsed = requests(parseActions("GET / HTTP/1.1\r\nHost:h\r\nX-A: \t a  b \t\r\nX-Empty:\r\n\r\n")).first
        #expect(parsed?.headers == [HeaderField(name: "Host", value: "h"), HeaderField(name: "X-A", value: "a  b"),
                                    HeaderField(name: "X-Empty", value: "")])
    }
}
