import Foundation

/// A small deterministic random generator (SplitMix64): the same seed gives the same plants and
/// the same data, so a benchmark can be reproduced.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// One simulated plant: a PV array following the sun (UTC), a household-like load with morning and
/// evening peaks, and a battery that absorbs surplus and covers deficits within its limits.
///
/// Sign conventions of the sample: `fve_power` ≥ 0 is PV output (kW); `invertor_power` > 0 is the
/// battery discharging, < 0 charging; `grid_power` = consumption − PV − battery (> 0 import);
/// `fve_reg` is the PV regulation set point in percent; `soc` the battery's state of charge (%).
struct PlantSimulator {
    struct Sample {
        let consumption, fvePower, fveReg, gridPower, invertorPower, soc: Double
    }

    let plantID: UUID
    private var random: SplitMix64
    private let peakPV: Double  // kWp
    private let baseLoad: Double  // kW
    private let batteryCapacity: Double  // kWh
    private let batteryLimit: Double  // kW
    private var soc: Double
    private var cloud = 1.0
    /// Energy (kWh) accumulated per meter since its last reading: [grid import, PV, …].
    private(set) var meterEnergy: [Double]

    init(plantID: UUID, index: Int, seed: UInt64, meters: Int) {
        self.plantID = plantID
        random = SplitMix64(seed: seed &* 1_000_003 &+ UInt64(index))
        peakPV = Double.random(in: 5...50, using: &random)
        baseLoad = Double.random(in: 0.4...3, using: &random)
        batteryCapacity = Double.random(in: 10...40, using: &random)
        batteryLimit = batteryCapacity / 2
        soc = Double.random(in: 20...80, using: &random)
        meterEnergy = Array(repeating: 0, count: meters)
    }

    /// Advances the plant by `step` seconds ending at `date`.
    mutating func advance(to date: Date, step: Double) -> Sample {
        let hour = (date.timeIntervalSince1970.truncatingRemainder(dividingBy: 86_400)) / 3600
        cloud = min(1, max(0.2, cloud + Double.random(in: -0.02...0.02, using: &random)))
        let daylight = max(0, sin(Double.pi * (hour - 6) / 12))
        let regulation = Double.random(in: 0..<1, using: &random) < 0.01 ? 60.0 : 100.0
        let pv = round3(peakPV * pow(daylight, 1.2) * cloud * regulation / 100)
        let peaks = 0.8 * exp(-pow(hour - 7.5, 2) / 2) + 1.5 * exp(-pow(hour - 19, 2) / 3)
        let load = round3(max(0.05, baseLoad * (1 + peaks) + Double.random(in: -0.2...0.2, using: &random)))

        // Battery: charge from surplus, discharge into deficit, within power and 5–95 % SoC.
        var battery = min(batteryLimit, max(-batteryLimit, load - pv))  // > 0 discharge
        let hours = step / 3600
        if battery > 0 { battery = min(battery, max(0, (soc - 5) / 100 * batteryCapacity / hours)) }
        if battery < 0 { battery = max(battery, -max(0, (95 - soc) / 100 * batteryCapacity / hours)) }
        battery = round3(battery)
        soc = min(100, max(0, soc - battery * hours / batteryCapacity * 100))
        let grid = round3(load - pv - battery)

        if !meterEnergy.isEmpty { meterEnergy[0] += max(grid, 0) * hours }
        if meterEnergy.count > 1 { meterEnergy[1] += pv * hours }
        for index in meterEnergy.indices.dropFirst(2) { meterEnergy[index] += load / Double(meterEnergy.count) * hours }
        return Sample(consumption: load, fvePower: pv, fveReg: regulation, gridPower: grid, invertorPower: battery,
                      soc: (soc * 10).rounded() / 10)
    }

    /// The energy of each meter since the last reading (kWh, 3 decimals); resets the counters.
    mutating func takeMeterReadings() -> [Double] {
        defer { meterEnergy = Array(repeating: 0, count: meterEnergy.count) }
        return meterEnergy.map(round3)
    }

    static func meterID(_ index: Int) -> String {
        switch index {
        case 0: "grid-import"
        case 1: "pv"
        default: "sub-\(index - 1)"
        }
    }
}

private func round3(_ value: Double) -> Double { (value * 1000).rounded() / 1000 }
