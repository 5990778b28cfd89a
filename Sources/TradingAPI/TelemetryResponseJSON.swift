import Foundation
import Trading
import Observability
import TradingCore

/// The JSON bodies of the telemetry endpoints, exactly in the seed's shape (snake_case keys in the
/// seed's order; absent values as `null`). Written by hand: a day at one-minute buckets is 1,440
/// objects, and these endpoints are what dashboards poll.
public enum TelemetryResponseJSON {
    /// `[{"consumption":…,"fve_power":…,"fve_reg":…,"grid_power":…,"invertor_power":…,"plant_id":"…","soc":…,"time":"…"}]`
    public static func telemetry(plantID: UUID, buckets: [TelemetryQueryStore.TelemetryBucket]) -> [UInt8] {
        let plant = plantID.uuidString.lowercased()
        var out = "["
        out.reserveCapacity(buckets.count * 200 + 2)
        for (index, bucket) in buckets.enumerated() {
            if index > 0 { out += "," }
            appendSample(&out, plant: plant, time: bucket.time, values: bucket.values)
        }
        out += "]"
        return Array(out.utf8)
    }

    /// One object of the same shape, for `telemetry/latest`.
    public static func latest(plantID: UUID, latest: TelemetryQueryStore.Latest) -> [UInt8] {
        var out = ""
        appendSample(&out, plant: plantID.uuidString.lowercased(), time: latest.time, values: latest.values)
        return Array(out.utf8)
    }

    /// `[{"energy":…,"interval":"5m","meter_id":"…","plant_id":"…","time":"…"}]`
    public static func meters(plantID: UUID, interval: BucketInterval, buckets: [TelemetryQueryStore.MeterBucket]) -> [UInt8] {
        let plant = plantID.uuidString.lowercased()
        var out = "["
        out.reserveCapacity(buckets.count * 150 + 2)
        for (index, bucket) in buckets.enumerated() {
            if index > 0 { out += "," }
            out += "{\"energy\":" + number(bucket.energy) + ",\"interval\":\"" + interval.label + "\",\"meter_id\":"
            appendString(&out, bucket.meterID)
            out += ",\"plant_id\":\"" + plant + "\",\"time\":\"" + bucket.time.rfc3339Milliseconds + "\"}"
        }
        out += "]"
        return Array(out.utf8)
    }

    private static func appendSample(_ out: inout String, plant: String, time: TelemetryTimestamp, values: [Double?]) {
        func value(_ field: TelemetryField) -> String { values[field.index].map(number) ?? "null" }
        out += "{\"consumption\":" + value(.consumption)
        out += ",\"fve_power\":" + value(.fvePower)
        out += ",\"fve_reg\":" + value(.fveReg)
        out += ",\"grid_power\":" + value(.gridPower)
        out += ",\"invertor_power\":" + value(.invertorPower)
        out += ",\"plant_id\":\"" + plant + "\""
        out += ",\"soc\":" + value(.soc)
        out += ",\"time\":\"" + time.rfc3339Milliseconds + "\"}"
    }

    /// Shortest text that reads back as the same `Double`; whole numbers without `.0`.
    static func number(_ value: Double) -> String {
        guard value.isFinite else { return "null" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return String(value)
    }

    static func appendString(_ out: inout String, _ text: String) {
        JSONText.appendString(text, to: &out)
    }
}
