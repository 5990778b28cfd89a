import Foundation
import Synchronization
import Testing
@testable import OutboundHTTP

/// The outbound URL guard against a corpus of hostile URLs (Fixtures/hostile-urls.txt), good
/// public URLs, name resolution and the development allow list.
struct URLGuardTests {
    static func hostileURLs() throws -> [String] {
        let url = try #require(Bundle.module.url(forResource: "hostile-urls", withExtension: "txt", subdirectory: "Fixtures"))
        let text = try String(contentsOf: url, encoding: .utf8)
        return text.split(separator: "\n", omittingEmptySubsequences: true)
            .map(String.init)
            .filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty && !$0.hasPrefix("#") }
    }

    @Test func corpusHoldsAtLeastFortyHostileURLs() throws {
        #expect(try Self.hostileURLs().count >= 40)
    }

    /// The real system resolver: there is no DNS to the internet here, so names either resolve
    /// locally (localhost) or fail; both must be refusals.
    @Test func everyHostileURLIsRefusedWithAReason() throws {
        let guardian = OutboundURLGuard()
        for url in try Self.hostileURLs() {
            do {
                let accepted = try guardian.check(url: url)
                Issue.record("accepted hostile URL \(url) as \(accepted) with addresses \(accepted.addresses)")
            } catch let error as OutboundURLError {
                #expect(!error.reason.isEmpty, "\(url)")
            }
        }
    }

    /// Even a resolver that answers every name with a public address must not let the corpus
    /// through: each URL is refused for its own text, not for a DNS failure.
    @Test func everyHostileURLIsRefusedEvenWhenDNSAnswersPublic() throws {
        let guardian = OutboundURLGuard(resolver: { _ in [IPAddress(v4: 93, 184, 216, 34)] })
        let resolvedNormally: Set<String> = ["http://does-not-exist.invalid/"]   // refused only by DNS
        for url in try Self.hostileURLs() where !resolvedNormally.contains(url) {
            #expect(throws: OutboundURLError.self, "\(url)") { try guardian.check(url: url) }
        }
    }

    @Test(arguments: [
        "http://127.0.0.1\t/", "http://127.0.0.1 /", " http://93.184.216.34/", "http://93.184.216.34/\n",
        "http://good.com\n@127.0.0.1/", "http://127.0.0.1\r\n", "http://93.184.216.34/\u{0}", "",
    ])
    func whitespaceAndControlCharactersAreRefused(url: String) {
        #expect(throws: OutboundURLError.self) { try OutboundURLGuard().check(url: url) }
    }

    @Test func refusalsSayPreciselyWhy() throws {
        let guardian = OutboundURLGuard()
        func reason(_ url: String) -> (OutboundURLError.Kind, String)? {
            do { _ = try guardian.check(url: url); return nil } catch let error as OutboundURLError {
                return (error.kind, error.reason)
            } catch { return nil }
        }
        let octal = try #require(reason("http://0177.0.0.1/"))
        #expect(octal.0 == .forbiddenAddress)
        #expect(octal.1 == "host '0177.0.0.1' is IPv4 127.0.0.1 in another notation, which is a loopback address (127.0.0.0/8)")
        let mapped = try #require(reason("http://[::ffff:7f00:1]/"))
        #expect(mapped.1 == "host ::ffff:127.0.0.1 is an IPv6 form of 127.0.0.1, which is a loopback address (127.0.0.0/8); only public addresses are allowed")
        #expect(reason("http://169.254.169.254/")?.1.contains("cloud metadata") == true)
        #expect(reason("http://good.com@127.0.0.1/")?.0 == .userInfo)
        #expect(reason("gopher://93.184.216.34/")?.0 == .unsupportedScheme)
        #expect(reason("http://93.184.216.34:65536/")?.0 == .invalidPort)
        #expect(reason("http://localhost/")?.0 == .forbiddenHost)
        #expect(reason("http://1572395042/")?.1 == "host '1572395042' is IPv4 in a non-canonical notation; write it as 93.184.216.34")
        let unresolvable = try #require(reason("https://does-not-exist.invalid/"))
        #expect(unresolvable.0 == .unresolvable)
        #expect(unresolvable.1.hasPrefix("host name 'does-not-exist.invalid' could not be resolved: "))
    }

    struct Good: Sendable, CustomTestStringConvertible {
        let url: String, scheme: String, host: String, port: Int, pathAndQuery: String, authority: String
        var testDescription: String { url }
    }

    @Test(arguments: [
        Good(url: "http://93.184.216.34/", scheme: "http", host: "93.184.216.34", port: 80, pathAndQuery: "/", authority: "93.184.216.34"),
        Good(url: "HTTPS://93.184.216.34:8443/esm/api?x=1#section", scheme: "https", host: "93.184.216.34", port: 8443,
             pathAndQuery: "/esm/api?x=1", authority: "93.184.216.34:8443"),
        Good(url: "https://8.8.8.8", scheme: "https", host: "8.8.8.8", port: 443, pathAndQuery: "/", authority: "8.8.8.8"),
        Good(url: "https://1.1.1.1:443?q", scheme: "https", host: "1.1.1.1", port: 443, pathAndQuery: "/?q", authority: "1.1.1.1"),
        Good(url: "http://[2606:2800:220:1:248:1893:25C8:1946]:8080/v1", scheme: "http", host: "2606:2800:220:1:248:1893:25c8:1946",
             port: 8080, pathAndQuery: "/v1", authority: "[2606:2800:220:1:248:1893:25c8:1946]:8080"),
        Good(url: "http://[64:ff9b::5db8:d822]/", scheme: "http", host: "64:ff9b::5db8:d822", port: 80, pathAndQuery: "/",
             authority: "[64:ff9b::5db8:d822]"),
    ])
    func publicIPLiteralsAreAccepted(good: Good) throws {
        let validated = try OutboundURLGuard().check(url: good.url)
        #expect(validated.scheme == good.scheme)
        #expect(validated.host == good.host)
        #expect(validated.port == good.port)
        #expect(validated.pathAndQuery == good.pathAndQuery)
        #expect(validated.authority == good.authority)
        #expect(validated.addresses.map(\.description) == [good.host])
        #expect(!validated.isAllowListed)
    }

    @Test func aNameIsAcceptedOnlyWhenEveryAddressIsPublic() throws {
        let table: [String: [IPAddress]] = [
            "esm.example.com": [IPAddress("93.184.216.34")!, IPAddress("2606:2800:220:1::1")!],
            "mixed.example.com": [IPAddress("93.184.216.34")!, IPAddress("10.1.2.3")!],
            "v6-private.example.com": [IPAddress("93.184.216.34")!, IPAddress("fd00::5")!],
        ]
        let guardian = OutboundURLGuard(resolver: { host in
            guard let addresses = table[host] else { throw OutboundURLError(.unresolvable, "no such host \(host)") }
            return addresses
        })
        let ok = try guardian.check(url: "https://ESM.example.com./api")
        #expect(ok.host == "esm.example.com")
        #expect(ok.addresses == table["esm.example.com"])
        let mixed = try #require(throws: OutboundURLError.self) { try guardian.check(url: "https://mixed.example.com/") }
        #expect(mixed.kind == .forbiddenAddress)
        #expect(!mixed.reason.contains("10.1.2.3"))
        #expect(mixed.detail?.contains("10.1.2.3") == true)
        #expect(throws: OutboundURLError.self) { try guardian.check(url: "https://v6-private.example.com/") }
        #expect(try #require(throws: OutboundURLError.self) { try guardian.check(url: "https://other.example.com/") }.kind == .unresolvable)
    }

    /// DNS rebinding: the name was public when configured and points at loopback at connect time.
    @Test func resolveAndCheckCatchesAnAnswerThatChangedAfterTheCheck() throws {
        let calls = Mutex(0)
        let guardian = OutboundURLGuard(resolver: { _ in
            let call = calls.withLock { count in count += 1; return count }
            return call == 1 ? [IPAddress(v4: 93, 184, 216, 34)] : [IPAddress(v4: 127, 0, 0, 1)]
        })
        let validated = try guardian.check(url: "https://rebind.example.com/")
        #expect(validated.addresses == [IPAddress(v4: 93, 184, 216, 34)])
        let error = try #require(throws: OutboundURLError.self) {
            try guardian.resolveAndCheck(host: validated.host, port: validated.port)
        }
        #expect(error.reason == "host name 'rebind.example.com' resolves to an address that is not public; every address a host name resolves to must be public")
        #expect(error.detail == "host name 'rebind.example.com' resolves to 127.0.0.1, which is a loopback address (127.0.0.0/8)")
    }

    @Test func resolveAndCheckAcceptsLiteralsWithOrWithoutBrackets() throws {
        let guardian = OutboundURLGuard()
        #expect(try guardian.resolveAndCheck(host: "93.184.216.34", port: 443) == [IPAddress(v4: 93, 184, 216, 34)])
        #expect(try guardian.resolveAndCheck(host: "[2606:4700::1111]", port: 443) == [IPAddress("2606:4700::1111")!])
        #expect(throws: OutboundURLError.self) { try guardian.resolveAndCheck(host: "::1", port: 443) }
        #expect(throws: OutboundURLError.self) { try guardian.resolveAndCheck(host: "93.184.216.34", port: 0) }
        #expect(throws: OutboundURLError.self) { try guardian.resolveAndCheck(host: "localhost", port: 80) }
    }

    @Test func localhostIsRefusedByNameAndResolvesToLoopbackWithTheSystemResolver() throws {
        // /etc/hosts maps localhost to 127.0.0.1 here; the guard refuses the name before looking it up,
        // and would refuse what it resolves to as well.
        let addresses = try SystemResolver.resolve("localhost")
        #expect(addresses.contains(IPAddress(v4: 127, 0, 0, 1)))
        #expect(addresses.allSatisfy { !$0.isPublic })
        let error = try #require(throws: OutboundURLError.self) { try OutboundURLGuard().check(url: "http://localhost:18080/") }
        #expect(error.kind == .forbiddenHost)
    }

    @Test func allowListExemptsExactlyTheListedHostAndPort() throws {
        let guardian = try OutboundURLGuard(privateAllowList: " localhost:18080 , 127.0.0.1:18081,[::1]:18082")
        #expect(guardian.allowList.map(\.description).sorted() == ["127.0.0.1:18081", "[::1]:18082", "localhost:18080"])

        let name = try guardian.check(url: "http://localhost:18080/esm")
        #expect(name.isAllowListed)
        #expect(name.addresses.contains(IPAddress(v4: 127, 0, 0, 1)))   // the real resolver, via /etc/hosts
        #expect(try guardian.check(url: "http://LocalHost.:18080/").isAllowListed)
        #expect(try guardian.check(url: "http://127.0.0.1:18081/").addresses == [IPAddress(v4: 127, 0, 0, 1)])
        #expect(try guardian.check(url: "http://[0:0::1]:18082/").isAllowListed)
        #expect(try guardian.resolveAndCheck(host: "localhost", port: 18080).contains(IPAddress(v4: 127, 0, 0, 1)))

        for refused in [
            "http://localhost:18081/", "http://localhost/", "http://127.0.0.1:18080/", "http://127.0.0.1:18082/",
            "http://0x7f.1:18081/", "http://127.1:18081/", "http://[::ffff:127.0.0.1]:18081/", "http://[::1]:18080/",
            "http://10.0.0.1:18080/", "http://user@localhost:18080/", "ftp://localhost:18080/",
        ] {
            #expect(throws: OutboundURLError.self, "\(refused)") { try guardian.check(url: refused) }
        }
        #expect(throws: OutboundURLError.self) { try guardian.resolveAndCheck(host: "localhost", port: 18081) }
    }

    @Test(arguments: ["localhost", "127.1:80", "0x7f.0.0.1:80", "localhost:0", "localhost:99999", "http://localhost:80", "a b:80", "[::1:80"])
    func badAllowListEntriesAreRefused(entry: String) {
        #expect(throws: OutboundURLError.self) { try OutboundURLGuard(privateAllowList: entry) }
    }

    @Test func emptyAllowListValueMeansNoExemptions() throws {
        #expect(try OutboundURLGuard(privateAllowList: "").allowList.isEmpty)
        #expect(try OutboundURLGuard(privateAllowList: " , ").allowList.isEmpty)
    }
}
