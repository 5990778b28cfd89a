/// Decodes and validates meter deliveries (DESIGN §4): one reading object or an array of them.
public enum MeterReadingDecoder {
    public static func decode(
        _ body: [UInt8],
        now: TelemetryTimestamp,
        rules: TelemetryValidationRules = .standard
    ) -> TelemetryDelivery<MeterReading> {
        TelemetryDelivery.decode(body, maximumBytes: rules.maximumDeliveryBytes, maximumElements: rules.maximumElements) {
            reading(from: $0, now: now, rules: rules)
        }
    }

    /// Validates one reading object: `plant_id`, `meter_id`, `time` and a finite `energy` (kWh,
    /// may be negative for export) are required.
    public static func reading(
        from value: TelemetryJSONValue,
        now: TelemetryTimestamp,
        rules: TelemetryValidationRules
    ) -> Result<MeterReading, TelemetryRejection> {
        var reader = TelemetryFieldReader(value)
        let plantID = reader.requiredUUID("plant_id")
        let meterID = reader.requiredString("meter_id", maximumLength: rules.maximumMeterIDLength)
        let time = reader.requiredTime("time")
        if let time { reader.checkTime(time, now: now, rules: rules) }
        let energy = reader.requiredNumber("energy", range: -rules.maximumMagnitude...rules.maximumMagnitude)
        if let rejection = TelemetryRejection.combining(reader.violations) { return .failure(rejection) }
        guard let plantID, let meterID, let time, let energy else {
            return .failure(TelemetryRejection(.missingField, "missing plant_id, meter_id, time or energy"))
        }
        return .success(MeterReading(plantID: plantID, meterID: meterID, time: time, energy: energy))
    }
}
