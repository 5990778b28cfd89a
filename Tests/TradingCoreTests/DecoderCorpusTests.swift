import Foundation
import JSON
import Testing
@testable import TradingCore

/// The decoder fuzz targets' oracle over every committed corpus file (their seeds and every
/// finding kept as a regression), and checks that the oracle can fail.
struct DecoderCorpusTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("fuzz/corpus")

    @Test(arguments: DecoderOracle.Kind.allCases)
    func everyCorpusFilePassesTheOracle(kind: DecoderOracle.Kind) throws {
        let folder = Self.root.appendingPathComponent(kind.rawValue)
        let files = try FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil).sorted { $0.path < $1.path }
        #expect(files.count >= 4)
        for file in files {
            #expect(DecoderOracle.check(kind, Array(try Data(contentsOf: file))) == nil, "\(kind.rawValue)/\(file.lastPathComponent)")
        }
    }

    /// The seeds reach both verdicts of every decoder, so the fuzzer starts on both sides.
    @Test func theSeedsReachAcceptanceAndRefusal() throws {
        func bodies(_ kind: DecoderOracle.Kind) throws -> [[UInt8]] {
            let folder = Self.root.appendingPathComponent(kind.rawValue)
            return try FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil).map { Array(try Data(contentsOf: $0)) }
        }
        let telemetry = try bodies(.telemetry).map { TelemetryDecoder.decode($0, now: DecoderOracle.now, rules: DecoderOracle.rules) }
        #expect(telemetry.contains { !$0.acceptedItems.isEmpty } && telemetry.contains { $0.wholeRejection != nil })
        let commands = try bodies(.commands).map { CommandDecoder.decode(Array($0.dropFirst()), rules: DecoderOracle.commandRules) }
        #expect(commands.contains { (try? $0.get()) != nil } && commands.contains { (try? $0.get()) == nil })
        let blocks = try bodies(.timeBlocks).map { DecoderOracle.checkTimeBlocks($0) }
        #expect(blocks.allSatisfy { $0 == nil })
    }

    /// The oracle's own rules refuse what the validator must refuse.
    @Test func theOracleNoticesABrokenVerdict() {
        let block: [String: TimeConfigInput] = ["from": .string("06:00"), "to": .string("05:00"), "pBatMin": .number(0),
                                                "pBatMax": .number(1), "socMin": .number(0), "socMax": .number(100)]
        let wronglyValid = [ESMTimeConfig(from: "06:00", to: "05:00", pBatMin: 0, pBatMax: 1, socMin: 0, socMax: 100)]
        #expect(DecoderOracle.independentlyValid([block], wronglyValid) != nil)
        var overSoc = block
        overSoc["to"] = .string("07:00")
        overSoc["socMax"] = .number(101)
        #expect(DecoderOracle.independentlyValid([overSoc], [ESMTimeConfig(from: "06:00", to: "07:00", pBatMin: 0, pBatMax: 1,
                                                                            socMin: 0, socMax: 101)]) != nil)
        #expect(DecoderOracle.identifierProblem("messageId", "a\u{1}b", limit: 40) != nil)
        #expect(DecoderOracle.identifierProblem("messageId", String(repeating: "x", count: 41), limit: 40) != nil)
        #expect(DecoderOracle.minutes("24:00") == 1440 && DecoderOracle.minutes("7:00") == nil && DecoderOracle.minutes("08:60") == nil)
    }
}
