import Foundation
import Postgres
import TradingCore

/// Writes batches of samples and readings with one statement each (the `ingest_*` functions of
/// migrations 0002 and 0041): array parameters, so a statement has a fixed number of parameters
/// whatever the batch size, and the minute aggregates move only by the rows actually inserted.
public enum TelemetryWriter {
    /// Inserts samples and updates their minute aggregates and the latest snapshots, through
    /// `ingest_prepared_telemetry` (`PreparedTelemetryBatch`: the aggregates computed here, the
    /// arrays in binary); a batch holding a row already stored falls back, inside the function,
    /// to `ingest_telemetry`, which counts only the rows that are new.
    /// - Returns: how many samples were new; the rest were already stored (or repeated in `samples`).
    /// - Note: runs in the caller's transaction, if any; does not commit one itself.
    @discardableResult
    public static func insert(_ samples: some Collection<TelemetrySample>, on connection: PostgresConnection) throws -> Int {
        guard !samples.isEmpty else { return 0 }
        let batch = PreparedTelemetryBatch(samples)
        return try connection.queryPrepared(PreparedTelemetryBatch.sql, batch.parameters).singleRow()?.int("inserted") ?? 0
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
