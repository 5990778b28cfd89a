import Dispatch
import Timekeeping
import TradingCore

/// Everything the simulator remembers; guarded by the simulator's mutex.
struct ESMSimulatorState {
    struct Knobs {
        var latency: Duration
        var failureRate: Double
        var tokenTTL: Duration
        var ackDelay: Duration
        var rejectRate: Double
    }

    var knobs: Knobs
    var plantOrder: [String] = []
    var plants: [String: ESMPlant] = [:]
    var configs: [String: ESMPlantConfig] = [:]
    var queuePrefixes: [String: String] = [:]
    /// Token → expiry (uptime nanoseconds).
    var tokens: [String: UInt64] = [:]
    var commands: [String: ESMSimulatedCommand] = [:]
    /// Keys whose first request is still being handled: a second one meanwhile gets 409.
    var keysInProgress: Set<String> = []
    /// Extra delays for the next command requests, one each, in order (`delayNextCommands`).
    var commandDelays: [Duration] = []
    var stats = ESMSimulatorStats()
    var nextRequestCode = 1

    init(options: ESMSimulatorOptions) {
        knobs = Knobs(latency: options.latency, failureRate: options.failureRate, tokenTTL: options.tokenTTL,
                      ackDelay: options.ackDelay, rejectRate: options.rejectRate)
        for number in 1...max(1, options.plantCount) {
            let id = ESMSimulatorState.plantID(number: number)
            add(ESMPlant(id: id, name: "Simulated plant \(number)", state: "ONLINE"), config: nil)
        }
    }

    static func plantID(number: Int) -> String {
        let digits = String(number)
        return "e5a50000-0000-4000-8000-" + String(repeating: "0", count: max(0, 12 - digits.count)) + digits
    }

    static func defaultConfig(plantID: String) -> ESMPlantConfig {
        ESMPlantConfig(plantId: plantID, configEnabled: true, esiState: "ACTIVE", timeConfigs: [
            ESMTimeConfig(from: "00:00", to: "06:00", pBatMin: -5, pBatMax: 5, socMin: 20, socMax: 90),
            ESMTimeConfig(from: "06:00", to: "24:00", pBatMin: -10, pBatMax: 10, socMin: 10, socMax: 100),
        ], version: 1)
    }

    mutating func add(_ plant: ESMPlant, config: ESMPlantConfig?) {
        if plants[plant.id] == nil { plantOrder.append(plant.id) }
        plants[plant.id] = plant
        configs[plant.id] = config ?? configs[plant.id] ?? Self.defaultConfig(plantID: plant.id)
    }

    mutating func issueToken() -> (token: String, expiresIn: Int) {
        let token = (0..<4).map { _ in String(UInt64.random(in: 0...UInt64.max), radix: 16) }.joined()
        let ttl = knobs.tokenTTL
        let nanos = UInt64(ttl.wholeNanoseconds)
        tokens[token] = DispatchTime.now().uptimeNanoseconds + nanos
        stats.tokensIssued += 1
        return (token, Int(max(1, ttl.components.seconds)))
    }

    func isValid(token: String) -> Bool {
        guard let expiry = tokens[token] else { return false }
        return DispatchTime.now().uptimeNanoseconds < expiry
    }

    mutating func takeRequestCode() -> String {
        defer { nextRequestCode += 1 }
        return "SIM-\(nextRequestCode)"
    }
}

/// The simulator's own check of time blocks (DESIGN §6 rules); the first violation is reported.
enum SimulatedConfigRules {
    static func violation(in blocks: [ESMTimeConfig]) -> String? {
        if blocks.count > 96 { return "at most 96 time blocks are allowed, got \(blocks.count)" }
        var previousEnd = -1
        for (index, block) in blocks.enumerated() {
            guard let from = minutes(block.from, allow24: false) else { return "block \(index): 'from' is not HH:MM" }
            guard let to = minutes(block.to, allow24: true) else { return "block \(index): 'to' is not HH:MM" }
            if from >= to { return "block \(index): 'from' must be before 'to'" }
            if from < previousEnd { return "block \(index): overlaps or is not sorted after block \(index - 1)" }
            if block.pBatMin > block.pBatMax { return "block \(index): pBatMin is greater than pBatMax" }
            if block.socMin < 0 || block.socMax > 100 || block.socMin > block.socMax {
                return "block \(index): socMin/socMax must satisfy 0 <= socMin <= socMax <= 100"
            }
            if !block.pBatMin.isFinite || !block.pBatMax.isFinite { return "block \(index): powers must be finite" }
            previousEnd = to
        }
        return nil
    }

    static func minutes(_ text: String, allow24: Bool) -> Int? {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].count == 2, parts[1].count == 2,
              parts.allSatisfy({ $0.utf8.allSatisfy { (0x30...0x39).contains($0) } }),
              let hours = Int(parts[0]), let mins = Int(parts[1]) else { return nil }
        if hours == 24 && mins == 0 && allow24 { return 24 * 60 }
        guard hours < 24, mins < 60 else { return nil }
        return hours * 60 + mins
    }
}
