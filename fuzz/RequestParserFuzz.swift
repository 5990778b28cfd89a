// libFuzzer target for RequestParser (built by fuzz/run.sh together with Sources/HTTPServer/Parser).
// Oracle: feeding the input whole and feeding it in pieces (sizes taken from the first byte) must
// give the same requests and rejections, and every delivered request must respect the parser's guarantees.

let fuzzLimits = ParserLimits(maxHeadBytes: 512, maxHeaderCount: 16, maxBodyBytes: 1024, maxChunkLineBytes: 64)

func collectActions(_ input: UnsafeBufferPointer<UInt8>, pieceSize: Int) -> [RequestParser.Action] {
    var parser = RequestParser(limits: fuzzLimits)
    var actions: [RequestParser.Action] = []
    var offset = 0
    repeat {
        let end = min(input.count, offset + pieceSize)
        var action = parser.feed(input[offset..<end])
        offset = end
        while true {
            // `.sendContinue` depends on whether body bytes came with the head: not compared.
            if action != .needMore && action != .sendContinue { actions.append(action) }
            guard action != .needMore else { break }
            if case .reject = action { return actions }
            action = parser.feed(EmptyCollection<UInt8>())
        }
    } while offset < input.count
    return actions
}

func checkInvariants(_ request: ParsedRequest) {
    precondition(!request.method.isEmpty && request.method.utf8.allSatisfy(HTTPSyntax.isTokenChar))
    precondition(request.path.hasPrefix("/") || request.path == "*")
    precondition(request.path.utf8.allSatisfy(HTTPSyntax.isTargetByte))
    precondition(request.body.count <= fuzzLimits.maxBodyBytes)
    precondition(request.headers.count <= fuzzLimits.maxHeaderCount)
    for field in request.headers {
        precondition(field.value.utf8.allSatisfy { $0 != 0 && $0 != 0x0D && $0 != 0x0A })
        precondition(field.name.utf8.allSatisfy(HTTPSyntax.isTokenChar))
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func requestParserFuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    guard size > 0 else { return 0 }
    let pieceSize = Int(data[0] % 16) + 1
    let input = UnsafeBufferPointer(start: data + 1, count: size - 1)
    let whole = collectActions(input, pieceSize: max(1, input.count))
    let pieces = collectActions(input, pieceSize: pieceSize)
    precondition(whole == pieces, "split at \(pieceSize) changed the outcome")
    for case .request(let request) in whole { checkInvariants(request) }
    return 0
}
