// libFuzzer target for the AMQP message decoders and the time-block validator (built by
// fuzz/run.sh together with Sources/TradingCore, JSON and Timekeeping as one module and the oracle
// in Tests/TradingCoreTests/DecoderOracle.swift, which DecoderCorpusTests also runs over
// fuzz/corpus/<kind>/ on every swift test). FUZZ_DECODER picks the kind (its corpus folder name).
import Foundation

private let kind: DecoderOracle.Kind = {
    let name = ProcessInfo.processInfo.environment["FUZZ_DECODER"] ?? ""
    guard let kind = DecoderOracle.Kind(rawValue: name) else {
        fatalError("FUZZ_DECODER must be one of \(DecoderOracle.Kind.allCases.map(\.rawValue))")
    }
    return kind
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func decoderFuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    if let violation = DecoderOracle.check(kind, Array(UnsafeBufferPointer(start: data, count: size))) { fatalError(violation) }
    return 0
}
