import Foundation

/// One telemetry sample of a plant (DESIGN §4). Every measurement may be absent.
public struct TelemetrySample: Equatable, Sendable {
    public var plantID: UUID
    public var time: TelemetryTimestamp
    /// Values in the order of `TelemetryField.allCases`; nil when absent.
    public var values: [Double?]

    public init(plantID: UUID, time: TelemetryTimestamp, values: [Double?] = Array(repeating: nil, count: TelemetryField.allCases.count)) {
        precondition(values.count == TelemetryField.allCases.count, "one slot per TelemetryField")
        self.plantID = plantID
        self.time = time
        self.values = values
    }

    public subscript(field: TelemetryField) -> Double? {
        get { values[field.index] }
        set { values[field.index] = newValue }
    }
}

/// The measured fields of a sample, named as on the wire and in the database.
public enum TelemetryField: String, CaseIterable, Sendable {
    case consumption
    case fvePower = "fve_power"
    case fveReg = "fve_reg"
    case gridPower = "grid_power"
    case invertorPower = "invertor_power"
    case soc

    /// Position in `TelemetrySample.values` and in the ingest statement's array parameters.
    public var index: Int {
        switch self {
        case .consumption: 0
        case .fvePower: 1
        case .fveReg: 2
        case .gridPower: 3
        case .invertorPower: 4
        case .soc: 5
        }
    }

    /// The inclusive range a value must lie in, beyond being finite.
    public var allowedRange: ClosedRange<Double>? {
        self == .soc ? 0...100 : nil
    }
}
