// libFuzzer target for the outbound URL guard (built by fuzz/run.sh together with
// Sources/OutboundHTTP/Guard and the oracle in Tests/OutboundHTTPTests/URLGuardOracle.swift,
// which URLGuardCorpusTests also runs over fuzz/corpus/url-guard on every swift test).

@_cdecl("LLVMFuzzerTestOneInput")
public func urlGuardFuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    if let violation = URLGuardOracle.check(Array(UnsafeBufferPointer(start: data, count: size))) { fatalError(violation) }
    return 0
}
