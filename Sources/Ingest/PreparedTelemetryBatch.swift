import Foundation
import Postgres
import TradingCore

/// A batch of samples prepared for `ingest_prepared_telemetry` (migration 0041): the rows with no
/// repeated (plant, time), the first occurrence winning as if delivered one by one, in
/// (plant, time) order; their 1-minute aggregates; and each plant's newest row. PostgreSQL then
/// stores the rows with a plain INSERT and merges a few aggregate rows, instead of aggregating
/// every row itself; all arrays are sent in binary, which the server copies instead of parsing.
///
/// The aggregates are what `ingest_telemetry` (0002) computes from the same rows: per field the
/// count, the sum (added in time order), min, max, and the value at the latest time it is present.
struct PreparedTelemetryBatch {
    /// A row's place in the batch's order: the plant's UUID as PostgreSQL orders it (bytewise),
    /// then the time.
    private struct Key: Hashable, Comparable {
        let high: UInt64
        let low: UInt64
        let time: Int64

        init(_ sample: TelemetrySample) {
            // The 16 bytes as two big-endian words: comparing them compares the bytes in order.
            let b = sample.plantID.uuid
            let high1 = UInt64(b.0) << 56 | UInt64(b.1) << 48 | UInt64(b.2) << 40 | UInt64(b.3) << 32
            let high2 = UInt64(b.4) << 24 | UInt64(b.5) << 16 | UInt64(b.6) << 8 | UInt64(b.7)
            let low1 = UInt64(b.8) << 56 | UInt64(b.9) << 48 | UInt64(b.10) << 40 | UInt64(b.11) << 32
            let low2 = UInt64(b.12) << 24 | UInt64(b.13) << 16 | UInt64(b.14) << 8 | UInt64(b.15)
            high = high1 | high2
            low = low1 | low2
            time = sample.time.microsecondsSinceEpoch
        }

        static func < (a: Key, b: Key) -> Bool {
            (a.high, a.low, a.time) < (b.high, b.low, b.time)
        }

        func samePlant(as other: Key) -> Bool { high == other.high && low == other.low }
    }

    /// One field's aggregate over one minute.
    private struct FieldAggregate {
        var count: Int64 = 0
        var sum = 0.0
        var min: Double?
        var max: Double?
        var last: Double?
        var lastTime: Int64?

        /// Values arrive in time order, so the latest one present is the last one added.
        mutating func add(_ value: Double?, at time: Int64) {
            guard let value else { return }
            count += 1
            sum += value
            min = Swift.min(min ?? value, value)
            max = Swift.max(max ?? value, value)
            last = value
            lastTime = time
        }
    }

    private static let fieldCount = TelemetryField.allCases.count
    private static let microsecondsPerMinute: Int64 = 60_000_000

    /// Rows, then minute aggregates, then latest rows: the function's parameters in order.
    let parameters: [PostgresValue]
    /// Rows after removing repeats within the batch.
    let rowCount: Int

    init(_ samples: some Collection<TelemetrySample>) {
        var seen = Set<Key>(minimumCapacity: samples.count)
        var rows: [(key: Key, sample: TelemetrySample)] = []
        rows.reserveCapacity(samples.count)
        for sample in samples {
            let key = Key(sample)
            if seen.insert(key).inserted { rows.append((key, sample)) }
        }
        rows.sort { $0.key < $1.key }
        rowCount = rows.count

        var rowPlants = PostgresBinaryArray(of: .uuid, reservingCapacity: rows.count)
        var rowTimes = PostgresBinaryArray(of: .timestamptz, reservingCapacity: rows.count)
        var rowValues = Array(repeating: PostgresBinaryArray(of: .float8, reservingCapacity: rows.count), count: Self.fieldCount)

        var minutePlants = PostgresBinaryArray(of: .uuid)
        var minuteStarts = PostgresBinaryArray(of: .timestamptz)
        var minuteSamples = PostgresBinaryArray(of: .int8)
        // Per field: count, sum, min, max, last, last time.
        var minuteFields = (0..<Self.fieldCount).map { _ in
            [PostgresBinaryArray(of: .int8), PostgresBinaryArray(of: .float8), PostgresBinaryArray(of: .float8),
             PostgresBinaryArray(of: .float8), PostgresBinaryArray(of: .float8), PostgresBinaryArray(of: .timestamptz)]
        }
        var latestPlants = PostgresBinaryArray(of: .uuid)
        var latestTimes = PostgresBinaryArray(of: .timestamptz)
        var latestValues = Array(repeating: PostgresBinaryArray(of: .float8), count: Self.fieldCount)

        var group: (key: Key, plant: UUID, minute: Int64, samples: Int64, fields: [FieldAggregate])?
        func closeGroup() {
            guard let group else { return }
            minutePlants.append(group.plant)
            minuteStarts.append(microsecondsSinceEpoch: group.minute)
            minuteSamples.append(group.samples)
            for (index, field) in group.fields.enumerated() {
                minuteFields[index][0].append(field.count)
                minuteFields[index][1].append(field.sum)
                minuteFields[index][2].append(field.min)
                minuteFields[index][3].append(field.max)
                minuteFields[index][4].append(field.last)
                if let lastTime = field.lastTime {
                    minuteFields[index][5].append(microsecondsSinceEpoch: lastTime)
                } else {
                    minuteFields[index][5].appendNull()
                }
            }
        }

        for (position, (key, sample)) in rows.enumerated() {
            rowPlants.append(sample.plantID)
            rowTimes.append(microsecondsSinceEpoch: key.time)
            for index in 0..<Self.fieldCount { rowValues[index].append(sample.values[index]) }

            let minute = Self.minute(of: key.time)
            if let current = group, current.key.samePlant(as: key), current.minute == minute {
                group!.samples += 1
            } else {
                closeGroup()
                group = (key, sample.plantID, minute, 1, Array(repeating: FieldAggregate(), count: Self.fieldCount))
            }
            for index in 0..<Self.fieldCount { group!.fields[index].add(sample.values[index], at: key.time) }

            // The plant's newest row is its last in the batch's order.
            if position == rows.count - 1 || !rows[position + 1].key.samePlant(as: key) {
                latestPlants.append(sample.plantID)
                latestTimes.append(microsecondsSinceEpoch: key.time)
                for index in 0..<Self.fieldCount { latestValues[index].append(sample.values[index]) }
            }
        }
        closeGroup()

        parameters = [rowPlants.value, rowTimes.value] + rowValues.map(\.value)
            + [minutePlants.value, minuteStarts.value, minuteSamples.value] + minuteFields.flatMap { $0.map(\.value) }
            + [latestPlants.value, latestTimes.value] + latestValues.map(\.value)
    }

    /// The start of the UTC minute holding `time` (`date_bin('1 minute', time, epoch)`).
    static func minute(of time: Int64) -> Int64 {
        let remainder = time % microsecondsPerMinute
        return time - (remainder < 0 ? remainder + microsecondsPerMinute : remainder)
    }

    /// `SELECT ingest_prepared_telemetry($1, ..., $54)`.
    static let sql: String = {
        let count = 2 + fieldCount + 3 + 6 * fieldCount + 2 + fieldCount
        return "SELECT ingest_prepared_telemetry(" + (1...count).map { "$\($0)" }.joined(separator: ", ") + ") AS inserted"
    }()
}
