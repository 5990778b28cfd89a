import Foundation
import TradingCore

/// Random but exactly summable data: values are multiples of 1/4, so every sum of a few thousand
/// of them is exact in `Double` whatever the order of addition.
public struct IngestRandomData {
    public init() {}

    public var generator = SystemRandomNumberGenerator()

    public mutating func quarter(_ range: ClosedRange<Int>) -> Double {
        Double(Int.random(in: range, using: &generator)) / 4
    }

    public mutating func sample(plant: UUID, time: TelemetryTimestamp) -> TelemetrySample {
        var sample = TelemetrySample(plantID: plant, time: time)
        for field in TelemetryField.allCases where Int.random(in: 0..<10, using: &generator) < 8 {
            sample[field] = field == .soc ? quarter(0...400) : quarter(-40_000...40_000)
        }
        return sample
    }

    /// A time within the `minutes` minutes before `end`, with a random microsecond part.
    public mutating func time(before end: TelemetryTimestamp, minutes: Int64) -> TelemetryTimestamp {
        end.adding(microseconds: -Int64.random(in: 1...(minutes * 60_000_000), using: &generator))
    }

    /// Splits bodies into single objects and arrays of random sizes.
    public mutating func bodies(_ elements: [String]) -> [String] {
        var bodies: [String] = []
        var index = 0
        while index < elements.count {
            if Bool.random(using: &generator) {
                bodies.append(elements[index])
                index += 1
            } else {
                let size = Int.random(in: 1...20, using: &generator)
                let end = min(index + size, elements.count)
                bodies.append("[" + elements[index..<end].joined(separator: ",") + "]")
                index = end
            }
        }
        return bodies
    }
}
