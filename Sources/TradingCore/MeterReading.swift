import Foundation

/// One meter reading: the energy (kWh) a meter of a plant measured for the reading's period.
public struct MeterReading: Equatable, Sendable {
    public var plantID: UUID
    public var meterID: String
    public var time: TelemetryTimestamp
    public var energy: Double

    public init(plantID: UUID, meterID: String, time: TelemetryTimestamp, energy: Double) {
        self.plantID = plantID
        self.meterID = meterID
        self.time = time
        self.energy = energy
    }
}
