// libFuzzer target for the outbound HTTP response parser (built by fuzz/run.sh together with
// Sources/OutboundHTTP/Parser and the oracle in Tests/OutboundHTTPTests/ResponseParserOracle.swift,
// which ResponseParserCorpusTests also runs over fuzz/corpus/response-parser on every swift test).

@_cdecl("LLVMFuzzerTestOneInput")
public func responseParserFuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let input = Array(UnsafeBufferPointer(start: data, count: size))
    if let violation = ResponseParserOracle.check(input) { fatalError(violation) }
    return 0
}
