import Foundation
import Postgres
import TradingCore

/// Writes batches of samples and readings with one statement each (the `ingest_*` functions of
/// migration 0002): array parameters, so a statement has a fixed handful of parameters whatever
/// the batch size, and the minute aggregates move only by the rows actually inserted.
public enum TelemetryWriter {
    /// Inserts samples and updates their minute aggregates and the latest snapshots.
    /// - Returns: how many samples were new; the rest were already stored (or repeated in `samples`).
    /// - Note: runs in the caller's transaction, if any; does not commit one itself.
    @discardableResult
    public static func insert(_ samples: some Collection<TelemetrySample>, on connection: PostgresConnection) throws -> Int {
        guard !samples.isEmpty else { return 0 }
        var plantIDs: [UUID?] = []
        var times: [String?] = []
        var columns = Array(repeating: [Double?](), count: TelemetryField.allCases.count)
        plantIDs.reserveCapacity(samples.count)
        times.reserveCapacity(samples.count)
        for index in columns.indices { columns[index].reserveCapacity(samples.count) }
        for sample in samples {
            plantIDs.append(sample.plantID)
            times.append(sample.time.rfc3339)
            for (index, value) in sample.values.enumerated() { columns[index].append(value) }
        }
        let rows = try connection.query(
            "SELECT ingest_telemetry($1::uuid[], $2::text[]::timestamptz[], $3, $4, $5, $6, $7, $8) AS inserted",
            [.uuidArray(plantIDs), .textArray(times)] + columns.map { .doubleArray($0) }
        )
        return try rows.singleRow()?.int("inserted") ?? 0
    }

    /// Inserts meter readings and updates their minute aggregates.
    /// - Returns: how many readings were new.
    @discardableResult
    public static func insert(_ readings: some Collection<MeterReading>, on connection: PostgresConnection) throws -> Int {
        guard !readings.isEmpty else { return 0 }
        var plantIDs: [UUID?] = [], meterIDs: [String?] = [], times: [String?] = [], energy: [Double?] = []
        plantIDs.reserveCapacity(readings.count)
        meterIDs.reserveCapacity(readings.count)
        times.reserveCapacity(readings.count)
        energy.reserveCapacity(readings.count)
        for reading in readings {
            plantIDs.append(reading.plantID)
            meterIDs.append(reading.meterID)
            times.append(reading.time.rfc3339)
            energy.append(reading.energy)
        }
        let rows = try connection.query(
            "SELECT ingest_meter_readings($1::uuid[], $2::text[], $3::text[]::timestamptz[], $4) AS inserted",
            [.uuidArray(plantIDs), .textArray(meterIDs), .textArray(times), .doubleArray(energy)]
        )
        return try rows.singleRow()?.int("inserted") ?? 0
    }
}
