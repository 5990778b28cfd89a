// Decoding a `Transfer-Encoding: chunked` body (RFC 9112 §7.1) within the body limit.

extension RequestParser {
    /// Finds the next CRLF-terminated line within `limit` bytes; nil while incomplete.
    func nextLine(limit: Int) -> Result<Range<Int>, ParseFailure>? {
        let end = Swift.min(buffer.count, start + limit)
        guard let lf = buffer[start..<end].firstIndex(of: HTTPSyntax.lf) else {
            if buffer.count - start >= limit { return .failure(.bad("chunk line too long")) }
            return nil
        }
        guard lf > start, buffer[lf - 1] == HTTPSyntax.cr else {
            return .failure(.bad("line not terminated by CRLF"))
        }
        return .success(start..<(lf - 1))
    }

    /// `chunk-size [ chunk-ext ] CRLF`; extensions are ignored but must hold no control bytes.
    mutating func readChunkSize() -> Step {
        guard let found = nextLine(limit: limits.maxChunkLineBytes) else { return .stop(.needMore) }
        let line: Range<Int>
        switch found {
        case .failure(let failure): return .stop(.reject(failure))
        case .success(let range): line = range
        }
        var size = 0
        var index = line.lowerBound
        while index < line.upperBound, let digit = HTTPSyntax.hexValue(buffer[index]) {
            guard index - line.lowerBound < 15 else { return .stop(.reject(.bad("chunk size too long"))) }
            size = size * 16 + Int(digit)
            index += 1
        }
        guard index > line.lowerBound else { return .stop(.reject(.bad("missing chunk size"))) }
        var extensionStart = index
        while extensionStart < line.upperBound,
              buffer[extensionStart] == HTTPSyntax.space || buffer[extensionStart] == HTTPSyntax.tab {
            extensionStart += 1
        }
        if extensionStart < line.upperBound {
            guard buffer[extensionStart] == UInt8(ascii: ";"),
                  buffer[extensionStart..<line.upperBound].allSatisfy(HTTPSyntax.isFieldValueByte) else {
                return .stop(.reject(.bad("malformed chunk extension")))
            }
        }
        start = line.upperBound + 2
        if size == 0 {
            state = .trailers
            return .continue
        }
        let received = pending?.body.count ?? 0
        guard received + size <= limits.maxBodyBytes else {
            return .stop(.reject(ParseFailure(status: 413, reason: "request body too large: at most \(limits.maxBodyBytes) bytes")))
        }
        pending?.body.reserveCapacity(received + size)
        state = .chunkData(remaining: size)
        return .continue
    }

    mutating func readChunkData(remaining: Int) -> Step {
        let available = Swift.min(remaining, buffer.count - start)
        guard available > 0 else { return .stop(.needMore) }
        pending?.body.append(contentsOf: buffer[start..<(start + available)])
        start += available
        state = available == remaining ? .chunkDataEnd : .chunkData(remaining: remaining - available)
        return .continue
    }

    mutating func readChunkDataEnd() -> Step {
        guard buffer.count - start >= 2 else { return .stop(.needMore) }
        guard buffer[start] == HTTPSyntax.cr, buffer[start + 1] == HTTPSyntax.lf else {
            return .stop(.reject(.bad("chunk data not followed by CRLF")))
        }
        start += 2
        state = .chunkSize
        return .continue
    }

    /// Trailer fields are checked and dropped; they count against the head limit, and each line is
    /// kept short so that rescanning a line that arrives byte by byte stays cheap.
    mutating func readTrailers() -> Step {
        let room = limits.maxHeadBytes - trailerBytes
        guard room > 0 else {
            return .stop(.reject(ParseFailure(status: 431, reason: "trailer section too large")))
        }
        guard let found = nextLine(limit: Swift.min(room, 1024)) else { return .stop(.needMore) }
        let line: Range<Int>
        switch found {
        case .failure(let failure):
            let tooLong = failure.reason == "chunk line too long"
            return .stop(.reject(tooLong ? ParseFailure(status: 431, reason: "trailer section too large") : failure))
        case .success(let range): line = range
        }
        trailerBytes += line.count + 2
        start = line.upperBound + 2
        if line.isEmpty { return finishBody() }
        let valid = buffer.withUnsafeBufferPointer { all in
            if case .success = parseField(all[line]) { return true }
            return false
        }
        return valid ? .continue : .stop(.reject(.bad("malformed trailer field")))
    }
}
