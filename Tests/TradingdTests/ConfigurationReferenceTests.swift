import Foundation
import TestSupport
import Testing
@testable import Tradingd

/// README's configuration reference is generated from `Config/tradingd.example.json` (its values
/// are the defaults, its `_help` the variables and meanings); this test fails when the two drift
/// apart. `TRADINGD_UPDATE_README=1 swift test --filter ConfigurationReferenceTests` rewrites the
/// README's section from the example file.
@Suite struct ConfigurationReferenceTests {
    static let begin = "<!-- BEGIN configuration reference: generated from Config/tradingd.example.json -->"
    static let end = "<!-- END configuration reference -->"

    static func reference() throws -> String {
        let example = Repository.root.appendingPathComponent("Config/tradingd.example.json")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: example)) as? [String: Any])
        let help = try #require(object["_help"] as? [String: String])
        var lines = ["| setting (file key) | variable | default | meaning |", "|---|---|---|---|"]
        for setting in allSettings {
            let text = try #require(help[setting.key], "no _help for \(setting.key)")
            let prefix = setting.environment + ": "
            #expect(text.hasPrefix(prefix), "the _help of \(setting.key) must start with \(prefix)")
            let meaning = String(text.dropFirst(prefix.count)).replacingOccurrences(of: "|", with: "\\|")
            let value: String = switch object[setting.key] {
            case let number as NSNumber: "`\(number.stringValue)`"
            case let text as String: text.isEmpty ? "empty" : "`\(text)`"
            default: setting.isSecret ? "none (a secret: set it in the environment file)" : "none"
            }
            lines.append("| `\(setting.key)` | `\(setting.environment)` | \(value) | \(meaning) |")
        }
        return lines.joined(separator: "\n")
    }

    @Test func readmeCarriesTheReferenceOfTheExampleFile() throws {
        let readmeURL = Repository.root.appendingPathComponent("README.md")
        let readme = try String(contentsOf: readmeURL, encoding: .utf8)
        let start = try #require(readme.range(of: Self.begin), "README.md has no \(Self.begin)")
        let stop = try #require(readme.range(of: Self.end, range: start.upperBound..<readme.endIndex))
        let current = readme[start.upperBound..<stop.lowerBound].trimmingCharacters(in: .whitespacesAndNewlines)
        let expected = try Self.reference()
        if ProcessInfo.processInfo.environment["TRADINGD_UPDATE_README"] == "1", current != expected {
            let updated = readme.replacingCharacters(in: start.upperBound..<stop.lowerBound, with: "\n" + expected + "\n")
            try updated.write(to: readmeURL, atomically: true, encoding: .utf8)
            return
        }
        #expect(current == expected, "README's configuration reference is out of step with Config/tradingd.example.json; run TRADINGD_UPDATE_README=1 swift test --filter ConfigurationReferenceTests")
    }

    @Test func everyExampleDefaultIsTheBuiltInDefault() throws {
        let example = Repository.root.appendingPathComponent("Config/tradingd.example.json")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: example)) as? [String: Any])
        for setting in allSettings {
            guard let value = object[setting.key] else {
                #expect(setting.defaultValue == nil || setting.defaultValue == "", "\(setting.key) has a default but no example value")
                continue
            }
            let text = (value as? NSNumber)?.stringValue ?? (value as? String) ?? ""
            #expect(text == (setting.defaultValue ?? ""), "example \(setting.key) = \(text), built-in default \(setting.defaultValue ?? "none")")
        }
    }
}
