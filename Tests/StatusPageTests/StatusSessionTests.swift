import Crypto
import Foundation
import HTTPServer
import Testing
@testable import StatusPage

@Suite struct StatusSessionTests {
    static let csrf = String(repeating: "ab", count: 32)

    func post(cookie: String?, origin: String?, host: String = "127.0.0.1:8080") -> Request {
        var headers: HTTPHeaders = ["Host": host]
        if let cookie { headers.add("Cookie", cookie) }
        if let origin { headers.add("Origin", origin) }
        return Request(method: "POST", path: "/login", headers: headers)
    }

    @Test func readsCookiesAmongOthers() {
        let request = post(cookie: "a=1; tradingd_token=tdt_x; tradingd_csrf=\(Self.csrf)", origin: nil)
        #expect(StatusSession.cookie("tradingd_token", in: request) == "tdt_x")
        #expect(StatusSession.cookie("tradingd_csrf", in: request) == Self.csrf)
        #expect(StatusSession.cookie("token", in: request) == nil)
    }

    @Test func cookiesAreHttpOnlyAndStrict() {
        let plain = StatusSession.setCookie("tradingd_token", "t", maxAge: 60, request: post(cookie: nil, origin: nil))
        #expect(plain.contains("HttpOnly") && plain.contains("SameSite=Strict") && !plain.contains("Secure"))
        var proxied = post(cookie: nil, origin: nil)
        proxied.headers.add("X-Forwarded-Proto", "https")
        #expect(StatusSession.setCookie("tradingd_token", "t", maxAge: 60, request: proxied).hasSuffix("; Secure"))
    }

    @Test func postNeedsTheCookiesTokenAndThisOrigin() throws {
        let form = try QueryParameters(decoding: "token=x&csrf=\(Self.csrf)")
        let cookie = "tradingd_csrf=\(Self.csrf)"
        #expect(StatusSession.isSameOriginPost(post(cookie: cookie, origin: "http://127.0.0.1:8080"), form: form))
        #expect(StatusSession.isSameOriginPost(post(cookie: cookie, origin: nil), form: form))
        #expect(!StatusSession.isSameOriginPost(post(cookie: cookie, origin: "http://evil.example"), form: form))
        #expect(!StatusSession.isSameOriginPost(post(cookie: cookie, origin: "null"), form: form))
        #expect(!StatusSession.isSameOriginPost(post(cookie: nil, origin: nil), form: form))
        let other = "tradingd_csrf=" + String(repeating: "cd", count: 32)
        #expect(!StatusSession.isSameOriginPost(post(cookie: other, origin: nil), form: form))
        #expect(try StatusSession.newCSRFToken().count == 64)
    }

    @Test func tokensWithOddCharactersAreRefusedBeforeAnyLookup() {
        #expect(StatusSession.isPlausibleToken("tdt_" + String(repeating: "0a", count: 32)))
        #expect(!StatusSession.isPlausibleToken("tdt;x"))
        #expect(!StatusSession.isPlausibleToken(""))
        #expect(!StatusSession.isPlausibleToken(String(repeating: "a", count: 201)))
    }

    @Test func pageEscapesAndAllowsOnlyItsOwnInlineBlocks() {
        #expect(HTMLPage.escape("<a href=\"x\">'&'</a>") == "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;")
        let styleHash = Data(SHA256.hash(HTMLPage.style)).base64EncodedString()
        #expect(HTMLPage.contentSecurityPolicy.contains("style-src 'sha256-\(styleHash)'"))
        #expect(HTMLPage.contentSecurityPolicy.hasPrefix("default-src 'none'"))
        let page = HTMLPage.document(title: "t", body: "b", refreshes: true)
        #expect(page.contains("<style>\(HTMLPage.style)</style>") && page.contains("<script>\(HTMLPage.refreshScript)</script>"))
        #expect(!page.contains("src=") && !page.contains("href=\"http"))
    }
}
