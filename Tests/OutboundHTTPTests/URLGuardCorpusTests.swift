import Foundation
import Testing
@testable import OutboundHTTP

/// The URL-guard fuzz target's oracle over every committed corpus file and every URL of the
/// guard's hostile corpus, and checks that the oracle can fail.
struct URLGuardCorpusTests {
    static let corpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("fuzz/corpus/url-guard")

    @Test func everyCorpusFileAndHostileURLPassesTheOracle() throws {
        let files = try FileManager.default.contentsOfDirectory(at: Self.corpus, includingPropertiesForKeys: nil)
        #expect(files.count >= 10)
        for file in files {
            #expect(URLGuardOracle.check(Array(try Data(contentsOf: file))) == nil, "\(file.lastPathComponent)")
        }
        for url in try URLGuardTests.hostileURLs() {
            #expect(URLGuardOracle.check(Array(url.utf8)) == nil, "\(url)")
        }
    }

    /// The oracle's resolver makes names that reach private addresses, which the guard refuses;
    /// a public one is accepted and its normalized form accepted again.
    @Test func theOracleSeesBothVerdicts() throws {
        #expect(throws: OutboundURLError.self) { try URLGuardOracle.guardUnderTest.check(url: "https://internal.example/") }
        #expect(throws: OutboundURLError.self) { try URLGuardOracle.guardUnderTest.check(url: "https://mixed.example/") }
        let accepted = try URLGuardOracle.guardUnderTest.check(url: "HTTPS://Example.COM:443/a?b=1")
        #expect(accepted.addresses == [IPAddress(v4: 93, 184, 216, 34)])
        #expect(URLGuardOracle.check(Array("HTTPS://Example.COM:443/a?b=1".utf8)) == nil)
    }
}
