/// Decodes and validates telemetry deliveries (DESIGN §4): one sample object or an array of them.
public enum TelemetryDecoder {
    /// Element-by-element outcome of one delivery body. `now` anchors the future-time rule.
    public static func decode(
        _ body: [UInt8],
        now: TelemetryTimestamp,
        rules: TelemetryValidationRules = .standard
    ) -> TelemetryDelivery<TelemetrySample> {
        TelemetryDelivery.decode(body, maximumBytes: rules.maximumDeliveryBytes, maximumElements: rules.maximumElements) {
            sample(from: $0, now: now, rules: rules)
        }
    }

    /// Validates one sample object, reporting every violation at once.
    public static func sample(
        from value: TelemetryJSONValue,
        now: TelemetryTimestamp,
        rules: TelemetryValidationRules
    ) -> Result<TelemetrySample, TelemetryRejection> {
        var reader = TelemetryFieldReader(value)
        let plantID = reader.requiredUUID("plant_id")
        let time = reader.requiredTime("time")
        if let time { reader.checkTime(time, now: now, rules: rules) }
        var values: [Double?] = []
        values.reserveCapacity(TelemetryField.allCases.count)
        let magnitude = -rules.maximumMagnitude...rules.maximumMagnitude
        for field in TelemetryField.allCases {
            values.append(reader.optionalNumber(field.rawValue, range: field.allowedRange ?? magnitude))
        }
        if let rejection = TelemetryRejection.combining(reader.violations) { return .failure(rejection) }
        guard let plantID, let time else { return .failure(TelemetryRejection(.missingField, "missing plant_id or time")) }
        return .success(TelemetrySample(plantID: plantID, time: time, values: values))
    }
}
