import Foundation
import Testing
@testable import OutboundHTTP

/// The fuzz target's oracle over every committed corpus file (its seeds and every finding kept
/// as a regression), and the inputs behind issue 16 item 5, fed one way and another.
struct ResponseParserCorpusTests {
    static let corpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("fuzz/corpus/response-parser")

    static func files() throws -> [URL] {
        try FileManager.default.contentsOfDirectory(at: corpus, includingPropertiesForKeys: nil).sorted { $0.path < $1.path }
    }

    @Test func everyCorpusFilePassesTheOracle() throws {
        let files = try Self.files()
        #expect(files.count >= 16)
        for file in files {
            let bytes = Array(try Data(contentsOf: file))
            #expect(ResponseParserOracle.check(bytes) == nil, "\(file.lastPathComponent)")
        }
    }

    /// The oracle can fail: a parser whose answer depended on the split, or an answer over the
    /// cap, would be reported.
    @Test func theOracleNoticesABrokenAnswer() {
        var response = HTTPResponseParser.Response(version: "HTTP/1.1", status: 200, headers: [], body: [], reusable: true)
        response.body = [UInt8](repeating: 0, count: ResponseParserOracle.limits.maxBodyBytes + 1)
        #expect(ResponseParserOracle.invariantViolation(response, isHEAD: false) != nil)
        response.body = Array("abc".utf8)
        response.headers = [.init(name: "Content-Length", value: "4")]
        #expect(ResponseParserOracle.invariantViolation(response, isHEAD: false) != nil)
        response.headers = [.init(name: "Content-Encoding", value: "gzip")]
        #expect(ResponseParserOracle.invariantViolation(response, isHEAD: false) != nil)
    }

    @Test(arguments: [1, 2, 3, 7, 64, 4096])
    func aChunkedAnswerSplitAnywhereParsesTheSame(piece: Int) throws {
        let bytes = Array("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n7\r\n, world\r\n0\r\nX-Trailer: t\r\n\r\n".utf8)
        let outcome = ResponseParserOracle.parse(bytes, pieceSize: piece, isHEAD: false, ends: false, limits: .init())
        guard case .some(.success(let response)) = outcome else {
            Issue.record("\(String(describing: outcome))")
            return
        }
        #expect(String(decoding: response.body, as: UTF8.self) == "hello, world")
        #expect(response.reusable)
    }

    @Test(arguments: ["7fffffffffffffff", "8000000000000000", "ffffffffffffffff", "1" + String(repeating: "0", count: 40)])
    func hugeChunkSizesAreRefusedAsTooLarge(size: String) {
        let bytes = Array("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\na\r\n\(size)\r\n".utf8)
        let outcome = ResponseParserOracle.parse(bytes, pieceSize: 5, isHEAD: false, ends: true, limits: .init())
        guard case .some(.failure(.tooLarge(let message))) = outcome else {
            Issue.record("\(String(describing: outcome))")
            return
        }
        #expect(message == "a chunk of the answer would exceed 4194304 bytes")
    }

    @Test func aHeadJustWithinTheCapIsAcceptedHoweverItIsSplit() {
        var limits = HTTPResponseParser.Limits()
        limits.maxHeadBytes = 64
        let head = "HTTP/1.1 200 OK\r\nX: " + String(repeating: "a", count: 64 - 20) + "\r\n\r\n"
        #expect(head.utf8.count == 64 + 4)   // the head ends at index 64, the cap
        var over = limits
        over.maxHeadBytes = 63
        #expect(throws: HTTPResponseParser.Failure.self) {
            var parser = HTTPResponseParser(limits: over)
            _ = try parser.feed(Array(head.utf8)[...])
        }
        for piece in [1, 65, 66, 67, 68] {
            let outcome = ResponseParserOracle.parse(Array(head.utf8), pieceSize: piece,
                                                     isHEAD: false, ends: true, limits: limits)
            #expect(outcome.map { (try? $0.get()) != nil } == true, "piece \(piece): \(String(describing: outcome))")
        }
    }
}
