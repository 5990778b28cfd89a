import Foundation
@testable import Ingest
import Observability
import Postgres
import TradingCore

/// The minute aggregates computed independently, in plain Swift, from what was published: the
/// first occurrence of each natural key counts, later ones are duplicates.
struct IngestExpectedAggregates {
    struct Field: Equatable, CustomStringConvertible {
        var count = 0
        var sum = 0.0
        var min: Double?
        var max: Double?
        var last: Double?
        var lastTime: Int64?

        mutating func add(_ value: Double, at time: Int64) {
            count += 1
            sum += value
            min = Swift.min(min ?? value, value)
            max = Swift.max(max ?? value, value)
            if lastTime.map({ time > $0 }) ?? true {
                last = value
                lastTime = time
            }
        }

        var description: String {
            let parts = [min, max, last].map { $0.map { String($0) } ?? "-" }
            return "n=\(count) sum=\(sum) min=\(parts[0]) max=\(parts[1]) last=\(parts[2])@\(lastTime.map { String($0) } ?? "-")"
        }
    }

    struct MinuteKey: Hashable, CustomStringConvertible {
        let plantID: UUID
        let minute: Int64
        let meterID: String
        var description: String { "\(plantID) \(TelemetryTimestamp(microsecondsSinceEpoch: minute).rfc3339) \(meterID)" }
    }

    struct Row: Equatable, CustomStringConvertible {
        var samples = 0
        var fields: [Field]
        var description: String { "samples=\(samples) " + fields.map(\.description).joined(separator: " | ") }
    }

    private(set) var rows: [MinuteKey: Row] = [:]
    private(set) var latest: [UUID: TelemetrySample] = [:]
    private var seen = Set<String>()
    private(set) var uniqueCount = 0

    mutating func add(_ sample: TelemetrySample) {
        guard seen.insert("\(sample.plantID) \(sample.time.microsecondsSinceEpoch)").inserted else { return }
        uniqueCount += 1
        let key = MinuteKey(plantID: sample.plantID, minute: MinuteBucket.start(of: sample.time).microsecondsSinceEpoch, meterID: "")
        var row = rows[key] ?? Row(fields: Array(repeating: Field(), count: TelemetryField.allCases.count))
        row.samples += 1
        for field in TelemetryField.allCases {
            if let value = sample[field] { row.fields[field.index].add(value, at: sample.time.microsecondsSinceEpoch) }
        }
        rows[key] = row
        if latest[sample.plantID].map({ sample.time > $0.time }) ?? true { latest[sample.plantID] = sample }
    }

    mutating func add(_ reading: MeterReading) {
        guard seen.insert("\(reading.plantID) \(reading.meterID) \(reading.time.microsecondsSinceEpoch)").inserted else { return }
        uniqueCount += 1
        let key = MinuteKey(plantID: reading.plantID, minute: MinuteBucket.start(of: reading.time).microsecondsSinceEpoch,
                            meterID: reading.meterID)
        var row = rows[key] ?? Row(fields: [Field()])
        row.samples += 1
        row.fields[0].add(reading.energy, at: reading.time.microsecondsSinceEpoch)
        rows[key] = row
    }

    // MARK: What the database holds

    static func storedTelemetry(_ connection: PostgresConnection) throws -> [MinuteKey: Row] {
        var columns = ["plant_id", "(extract(epoch FROM minute) * 1000000)::bigint AS minute", "sample_count"]
        for field in TelemetryField.allCases.map(\.rawValue) {
            columns += ["\(field)_count", "\(field)_sum", "\(field)_min", "\(field)_max", "\(field)_last",
                        "(extract(epoch FROM \(field)_last_time) * 1000000)::bigint AS \(field)_last_time"]
        }
        var result: [MinuteKey: Row] = [:]
        for row in try connection.query("SELECT \(columns.joined(separator: ", ")) FROM telemetry_minutes") {
            let key = MinuteKey(plantID: try row.uuid("plant_id"), minute: Int64(try row.int("minute")), meterID: "")
            var fields: [Field] = []
            for field in TelemetryField.allCases.map(\.rawValue) {
                fields.append(Field(count: try row.int("\(field)_count"), sum: try row.double("\(field)_sum"),
                                    min: try row.optionalDouble("\(field)_min"), max: try row.optionalDouble("\(field)_max"),
                                    last: try row.optionalDouble("\(field)_last"),
                                    lastTime: try row.optionalInt("\(field)_last_time").map(Int64.init)))
            }
            result[key] = Row(samples: try row.int("sample_count"), fields: fields)
        }
        return result
    }

    static func storedMeters(_ connection: PostgresConnection) throws -> [MinuteKey: Row] {
        var result: [MinuteKey: Row] = [:]
        let sql = """
            SELECT plant_id, meter_id, (extract(epoch FROM minute) * 1000000)::bigint AS minute, reading_count,
                   energy_sum, energy_min, energy_max, energy_last,
                   (extract(epoch FROM energy_last_time) * 1000000)::bigint AS energy_last_time
            FROM meter_minutes
            """
        for row in try connection.query(sql) {
            let key = MinuteKey(plantID: try row.uuid("plant_id"), minute: Int64(try row.int("minute")),
                                meterID: try row.string("meter_id"))
            let field = Field(count: try row.int("reading_count"), sum: try row.double("energy_sum"),
                              min: try row.optionalDouble("energy_min"), max: try row.optionalDouble("energy_max"),
                              last: try row.optionalDouble("energy_last"),
                              lastTime: try row.optionalInt("energy_last_time").map(Int64.init))
            result[key] = Row(samples: field.count, fields: [field])
        }
        return result
    }
}
