// The oracle of the outbound response parser, shared by the libFuzzer target (fuzz/run.sh
// compiles this file with Sources/OutboundHTTP/Parser alone) and ResponseParserCorpusTests
// (which replays every committed corpus file). Standard library only.
#if canImport(OutboundHTTP)
@testable import OutboundHTTP
#endif

enum ResponseParserOracle {
    /// Small limits, so that the fuzzer reaches every one of them.
    static let limits = HTTPResponseParser.Limits(maxHeadBytes: 512, maxHeaderCount: 16, maxBodyBytes: 1024,
                                                  maxChunkLineBytes: 64, maxInterimResponses: 3)

    typealias Outcome = Result<HTTPResponseParser.Response, HTTPResponseParser.Failure>

    /// Checks one input: byte 0 chooses the piece size (low 4 bits + 1), whether the request was
    /// HEAD (bit 4) and whether the stream ends after the input (bit 5); the rest is the answer.
    /// - Returns: what went wrong, or `nil`.
    static func check(_ input: [UInt8]) -> String? {
        guard let control = input.first else { return nil }
        let pieceSize = Int(control & 0x0f) + 1
        let isHEAD = control & 0x10 != 0, ends = control & 0x20 != 0
        let bytes = Array(input.dropFirst())
        let whole = parse(bytes, pieceSize: max(1, bytes.count), isHEAD: isHEAD, ends: ends)
        let pieces = parse(bytes, pieceSize: pieceSize, isHEAD: isHEAD, ends: ends)
        guard same(whole, pieces) else {
            return "feeding in pieces of \(pieceSize) gave \(describe(pieces)), whole gave \(describe(whole))"
        }
        guard case .some(.success(let response)) = whole else { return nil }
        if let broken = invariantViolation(response, isHEAD: isHEAD) { return broken }
        return isHEAD ? nil : roundTripViolation(response)
    }

    /// `nil` while the parser wants more and the stream has not ended.
    static func parse(_ bytes: [UInt8], pieceSize: Int, isHEAD: Bool, ends: Bool,
                      limits: HTTPResponseParser.Limits = limits) -> Outcome? {
        var parser = HTTPResponseParser(limits: limits, forHEAD: isHEAD)
        var offset = 0
        do {
            while offset < bytes.count {
                let end = min(bytes.count, offset + pieceSize)
                if case .complete(let response) = try parser.feed(bytes[offset..<end]) {
                    // Bytes after the answer make it non-reusable whichever piece they came in.
                    if end < bytes.count { return .success(nonReusable(response)) }
                    return .success(response)
                }
                offset = end
            }
            guard ends else { return nil }
            if case .complete(let response) = try parser.finish() { return .success(response) }
            return nil
        } catch {
            return .failure(error)
        }
    }

    static func nonReusable(_ response: HTTPResponseParser.Response) -> HTTPResponseParser.Response {
        var copy = response
        copy.reusable = false
        return copy
    }

    static func same(_ a: Outcome?, _ b: Outcome?) -> Bool {
        switch (a, b) {
        case (nil, nil): return true
        case (.some(.success(let x)), .some(.success(let y))): return x == y
        case (.some(.failure(let x)), .some(.failure(let y))): return x == y
        default: return false
        }
    }

    static func describe(_ outcome: Outcome?) -> String {
        switch outcome {
        case nil: "needs more"
        case .some(.success(let response)): "status \(response.status), \(response.body.count) body bytes, reusable \(response.reusable)"
        case .some(.failure(let failure)): "\(failure)"
        }
    }

    /// What every delivered answer guarantees.
    static func invariantViolation(_ response: HTTPResponseParser.Response, isHEAD: Bool) -> String? {
        guard (200...599).contains(response.status) else { return "status \(response.status) delivered" }
        guard response.body.count <= limits.maxBodyBytes else { return "body of \(response.body.count) bytes over the cap" }
        guard response.headers.count <= limits.maxHeaderCount else { return "\(response.headers.count) header fields" }
        for field in response.headers {
            guard !field.name.isEmpty, !field.value.utf8.contains(where: { $0 == 0 || $0 == 10 || $0 == 13 }) else {
                return "header field \(field.name) has CR, LF or NUL"
            }
            if lower(field.name) == "content-encoding" && !field.value.split(separator: ",").allSatisfy({ lower(trim($0)) == "identity" }) {
                return "a coded answer (\(field.value)) was delivered"
            }
        }
        let noBody = isHEAD || response.status == 204 || response.status == 304
        if noBody && !response.body.isEmpty { return "a body for HEAD, 204 or 304" }
        if !noBody, let length = response.headers.first(where: { lower($0.name) == "content-length" }), Int(length.value) != response.body.count {
            return "Content-Length \(length.value) but \(response.body.count) body bytes"
        }
        return nil
    }

    /// The delivered body, framed again by length and by chunks of other sizes, parses back to
    /// the same status, fields and body: an independent check of both framings.
    static func roundTripViolation(_ response: HTTPResponseParser.Response) -> String? {
        let kept = response.headers.filter { !["content-length", "transfer-encoding", "connection"].contains(lower($0.name)) }
        var head = "\(response.version) \(response.status) R\r\n"
        for field in kept { head += "\(field.name): \(field.value)\r\n" }
        var byLength = Array((head + "Content-Length: \(response.body.count)\r\n\r\n").utf8)
        byLength += response.body
        var chunked = Array((head + "Transfer-Encoding: chunked\r\n\r\n").utf8)
        var rest = response.body[...], size = 1
        while !rest.isEmpty {
            let piece = rest.prefix(size)
            chunked += Array((String(piece.count, radix: 16) + ";x=1\r\n").utf8) + piece + [13, 10]
            rest = rest.dropFirst(piece.count)
            size = size * 3 + 1
        }
        chunked += Array("0\r\nT: v\r\n\r\n".utf8)
        for (name, bytes) in [("Content-Length", byLength), ("chunked", chunked)] {
            guard case .some(.success(let again)) = parse(bytes, pieceSize: 7, isHEAD: false, ends: false, limits: roomier) else {
                return "the answer framed again by \(name) did not parse"
            }
            guard again.status == response.status, again.body == response.body,
                  again.headers.filter({ lower($0.name) != "content-length" && lower($0.name) != "transfer-encoding" }) == kept else {
                return "the answer framed again by \(name) parsed differently"
            }
        }
        return nil
    }

    /// The round trip adds a framing field and renames the reason: more head room, same body cap.
    static let roomier = HTTPResponseParser.Limits(maxHeadBytes: 4096, maxHeaderCount: 64, maxBodyBytes: limits.maxBodyBytes,
                                                   maxChunkLineBytes: 64, maxInterimResponses: 3)

    static func lower(_ text: some StringProtocol) -> String {
        String(decoding: text.utf8.map { (0x41...0x5a).contains($0) ? $0 + 0x20 : $0 }, as: UTF8.self)
    }

    static func trim(_ text: Substring) -> Substring {
        var value = text
        while value.first == " " || value.first == "\t" { value = value.dropFirst() }
        while value.last == " " || value.last == "\t" { value = value.dropLast() }
        return value
    }
}
