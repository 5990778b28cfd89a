import Foundation
import Testing

/// The target graph is one-way: every target of `Sources/` sits on a layer, and may import only
/// targets of lower layers (never a sibling, never one above). The compiler enforces what
/// `Package.swift` declares; this test enforces the direction that docs/ARCHITECTURE.md draws,
/// so that a new dependency cannot quietly point upwards. A new target must be placed here.
struct ImportGraphTests {
    /// Bottom first. Targets of one layer may not import each other.
    static let layers: [[String]] = [
        ["CRabbitMQ", "CPostgres", "CCrypto", "CTLS", "CLinuxEvents"],
        ["JSON", "Observability", "Timekeeping", "Crypto", "TLS"],
        ["Postgres", "AMQP", "TradingCore", "HTTPServer", "OutboundHTTP", "Domain", "ExactJSON", "VendCore"],
        ["ESM", "ESMSimulator", "ArgoSimulator", "Messaging", "Accounts", "Users", "PurchaseCore", "CustomerData", "VendSimulator", "PrepaidPlus"],
        ["Ingest", "Relay", "Trading", "Purchases", "Vend", "CustomerDataStores"],
        ["API"],
        ["TradingAPI", "PurchasesAPI", "VendAPI", "StatusPage", "CustomerDataAPI"],
        ["Tradingd"],
        ["tradingd", "esm-sim", "argo-sim", "telemetry-gen", "httpserver-bench", "vend-sim", "outbound-fetch"],
    ]

    /// Imports that the layers alone would allow but the design forbids: the domain and service
    /// targets know nothing of HTTP, and the shared API layer knows no family.
    static let forbidden: [String: Set<String>] = [
        "OutboundHTTP": ["HTTPServer", "API"],
        "Domain": ["HTTPServer", "API"],
        "Messaging": ["HTTPServer", "API"],
        "Accounts": ["HTTPServer", "API"],
        "Users": ["HTTPServer", "API"],
        "PurchaseCore": ["HTTPServer", "API"],
        "Purchases": ["HTTPServer", "API"],
        "CustomerData": ["HTTPServer", "API"],
        "Ingest": ["HTTPServer", "API"],
        "Relay": ["HTTPServer", "API"],
        "Trading": ["HTTPServer", "API"],
        "CustomerDataStores": ["HTTPServer", "API"],
        "VendCore": ["HTTPServer", "API"],
        "Vend": ["HTTPServer", "API"],
    ]

    static let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Sources")

    /// Every project target's imports of other project targets, read from its Swift files.
    static func imports() throws -> [String: Set<String>] {
        let targets = try FileManager.default.contentsOfDirectory(atPath: sources.path).filter { !$0.hasPrefix(".") }
        var result: [String: Set<String>] = [:]
        for target in targets {
            var found = Set<String>()
            let folder = sources.appendingPathComponent(target)
            let files = FileManager.default.enumerator(atPath: folder.path)?.compactMap { $0 as? String } ?? []
            for file in files where file.hasSuffix(".swift") {
                let text = try String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8)
                for line in text.split(separator: "\n") {
                    let words = line.split(separator: " ")
                    guard let index = words.firstIndex(of: "import"), words[..<index].allSatisfy({ $0.hasPrefix("@") }),
                          index + 1 < words.count else { continue }
                    let module = String(words[index + 1])
                    if targets.contains(module) && module != target { found.insert(module) }
                }
            }
            result[target] = found
        }
        return result
    }

    @Test func everyTargetHasALayer() throws {
        let placed = Set(Self.layers.joined())
        for target in try Self.imports().keys.sorted() where !placed.contains(target) {
            Issue.record("Sources/\(target) is on no layer: add it to ImportGraphTests.layers and docs/ARCHITECTURE.md")
        }
    }

    @Test func importsPointDownwards() throws {
        var layerOf: [String: Int] = [:]
        for (index, layer) in Self.layers.enumerated() { for target in layer { layerOf[target] = index } }
        let graph = try Self.imports()
        #expect(graph.count >= 20, "the Sources folder was not found at \(Self.sources.path)")
        for (target, imported) in graph.sorted(by: { $0.key < $1.key }) {
            guard let layer = layerOf[target] else { continue }
            for module in imported.sorted() {
                guard let other = layerOf[module] else { continue }
                if other >= layer {
                    Issue.record("\(target) (layer \(layer)) imports \(module) (layer \(other)): imports must point downwards")
                }
                if Self.forbidden[target]?.contains(module) == true {
                    Issue.record("\(target) must not import \(module)")
                }
            }
        }
    }

    /// The reader above must see real imports, or the checks could never fail.
    @Test func readsTheImportsOfAKnownTarget() throws {
        let graph = try Self.imports()
        #expect(graph["TradingAPI"]?.contains("API") == true)
        #expect(graph["Trading"]?.contains("HTTPServer") == false)
    }
}
