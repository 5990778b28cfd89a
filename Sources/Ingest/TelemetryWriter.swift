import Foundation
import Postgres
import TradingCore

/// Writes batches of samples and readings with one statement each (the `ingest_*` functions of
/// migration 0002): array parameters (literals built by `TelemetryArrayLiteral`), so a statement has a fixed handful of parameters whatever
/// the batch size, and the minute aggregates move only by the rows actually inserted.
public enum TelemetryWriter {
    /// Inserts samples and updates their minute aggregates and the latest snapshots.
    /// - Returns: how many samples were new; the rest were already stored (or repeated in `samples`).
    /// - Note: runs in the caller's transaction, if any; does not commit one itself.
    @discardableResult
    public static func insert(_ samples: some Collection<TelemetrySample>, on connection: PostgresConnection) throws -> Int {
        guard !samples.isEmpty else { return 0 }
        var plantIDs = TelemetryArrayLiteral(reservingElements: samples.count, bytesPerElement: 36)
        var times = TelemetryArrayLiteral(reservingElements: samples.count, bytesPerElement: 27)
        var columns = Array(repeating: TelemetryArrayLiteral(reservingElements: samples.count, bytesPerElement: 8),
                            count: TelemetryField.allCases.count)
        for sample in samples {
            plantIDs.append(sample.plantID)
            times.append(sample.time)
            for (index, value) in sample.values.enumerated() { columns[index].append(value) }
        }
        let rows = try connection.query(
            "SELECT ingest_telemetry($1::uuid[], $2::timestamptz[], $3::float8[], $4::float8[], $5::float8[], "
                + "$6::float8[], $7::float8[], $8::float8[]) AS inserted",
            [.text(plantIDs.text), .text(times.text)] + columns.map { .text($0.text) }
        )
        return try rows.singleRow()?.int("inserted") ?? 0
    }

    /// Inserts meter readings and updates their minute aggregates.
    /// - Returns: how many readings were new.
    @discardableResult
    public static func insert(_ readings: some Collection<MeterReading>, on connection: PostgresConnection) throws -> Int {
        guard !readings.isEmpty else { return 0 }
        var plantIDs = TelemetryArrayLiteral(reservingElements: readings.count, bytesPerElement: 36)
        var meterIDs = TelemetryArrayLiteral(reservingElements: readings.count, bytesPerElement: 12)
        var times = TelemetryArrayLiteral(reservingElements: readings.count, bytesPerElement: 27)
        var energy = TelemetryArrayLiteral(reservingElements: readings.count, bytesPerElement: 8)
        for reading in readings {
            plantIDs.append(reading.plantID)
            meterIDs.appendQuoted(reading.meterID)
            times.append(reading.time)
            energy.append(reading.energy)
        }
        let rows = try connection.query(
            "SELECT ingest_meter_readings($1::uuid[], $2::text[], $3::timestamptz[], $4::float8[]) AS inserted",
            [.text(plantIDs.text), .text(meterIDs.text), .text(times.text), .text(energy.text)]
        )
        return try rows.singleRow()?.int("inserted") ?? 0
    }
}
