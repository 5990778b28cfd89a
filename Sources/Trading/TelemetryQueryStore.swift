import Foundation
import Postgres
import TradingCore

/// Reads for the trading telemetry endpoints: buckets of 1–60 minutes rolled up at query time
/// from the 1-minute aggregates (`date_bin` with the UTC epoch as origin, see `BucketInterval`).
///
/// Each read is one statement that also checks the plant belongs to the caller's organisation:
/// no row at all means "not your plant" (404 `PLANT_NOT_FOUND`), a row with a NULL bucket means
/// the plant exists but has no data in the range.
public enum TelemetryQueryStore {
    /// One telemetry bucket: each field averaged over the samples of the bucket that carried it
    /// (nil when none did).
    public struct TelemetryBucket: Equatable, Sendable {
        public let time: TelemetryTimestamp
        public let values: [Double?]
    }

    /// One meter's energy summed over a bucket.
    public struct MeterBucket: Equatable, Sendable {
        public let time: TelemetryTimestamp
        public let meterID: String
        public let energy: Double
    }

    /// The newest sample of a plant.
    public struct Latest: Equatable, Sendable {
        public let time: TelemetryTimestamp
        public let values: [Double?]
    }

    public enum Lookup<Value: Sendable>: Sendable {
        case plantNotFound
        case found(Value)
    }

    /// The roll-up statement: $1 plant, $2 organisation, $3 interval, $4 first bucket start, $5 end boundary.
    public static let telemetrySQL: String = {
        let averages = TelemetryField.allCases.map(\.rawValue).map {
            "sum(\($0)_sum) / nullif(sum(\($0)_count), 0) AS \($0)"
        }.joined(separator: ", ")
        let columns = TelemetryField.allCases.map { "b.\($0.rawValue)" }.joined(separator: ", ")
        return """
            SELECT (extract(epoch FROM b.bucket) * 1000000)::bigint AS bucket, \(columns)
            FROM (SELECT 1 FROM plants WHERE id = $1 AND organization_id = $2) AS p
            LEFT JOIN LATERAL (
                SELECT date_bin($3::interval, minute, timestamptz '1970-01-01 00:00:00+00') AS bucket, \(averages)
                FROM telemetry_minutes
                WHERE plant_id = $1 AND minute >= $4::timestamptz AND minute < $5::timestamptz
                GROUP BY 1
            ) AS b ON true
            ORDER BY b.bucket
            """
    }()

    static let metersSQL = """
        SELECT (extract(epoch FROM b.bucket) * 1000000)::bigint AS bucket, b.meter_id, b.energy
        FROM (SELECT 1 FROM plants WHERE id = $1 AND organization_id = $2) AS p
        LEFT JOIN LATERAL (
            SELECT date_bin($3::interval, minute, timestamptz '1970-01-01 00:00:00+00') AS bucket, meter_id,
                   sum(energy_sum) AS energy
            FROM meter_minutes
            WHERE plant_id = $1 AND minute >= $4::timestamptz AND minute < $5::timestamptz
            GROUP BY 1, 2
        ) AS b ON true
        ORDER BY b.bucket, b.meter_id
        """

    public static let latestSQL: String = {
        let columns = TelemetryField.allCases.map { "l.\($0.rawValue)" }.joined(separator: ", ")
        return """
            SELECT (extract(epoch FROM l.time) * 1000000)::bigint AS time, \(columns)
            FROM plants AS p LEFT JOIN telemetry_latest AS l ON l.plant_id = p.id
            WHERE p.id = $1 AND p.organization_id = $2
            """
    }()

    /// The same roll-ups, but with PostgreSQL writing the response body (`TelemetryResponseJSON`'s
    /// shape): it formats every number as text for the wire anyway, so assembling the JSON there
    /// costs it little and spares the API parsing 10,000 numbers back only to print them again.
    /// One row (`body`, the array's contents without brackets) when the plant is the
    /// organisation's, none otherwise. The colons of the time format are quoted (`":"`, same
    /// output) so that the statement runs unchanged under pgbench, which reads `:MI` as a variable.
    public static let telemetryJSONSQL: String = {
        let averages = TelemetryField.allCases.map(\.rawValue).map {
            "sum(\($0)_sum) / nullif(sum(\($0)_count), 0) AS \($0)"
        }.joined(separator: ", ")
        let members = TelemetryField.allCases.map(\.rawValue).map { field -> String in
            let member = "coalesce(b.\(field)::text, 'null')"
            return field == "soc" ? "',\"plant_id\":\"' || p.id::text || '\",\"soc\":' || \(member)" : "',\"\(field)\":' || \(member)"
        }.joined(separator: " || ")
        return """
            SELECT (
                SELECT coalesce(string_agg('{' || substr(\(members), 2)
                    || ',"time":"' || to_char(b.bucket AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24":"MI":"SS.MS"Z"') || '"}', ',' ORDER BY b.bucket), '')
                FROM (
                    SELECT date_bin($3::interval, minute, timestamptz '1970-01-01 00:00:00+00') AS bucket, \(averages)
                    FROM telemetry_minutes
                    WHERE plant_id = $1 AND minute >= $4::timestamptz AND minute < $5::timestamptz
                    GROUP BY 1
                ) AS b
            ) AS body
            FROM plants AS p WHERE p.id = $1 AND p.organization_id = $2
            """
    }()

    public static let metersJSONSQL = """
        SELECT (
            SELECT coalesce(string_agg('{"energy":' || b.energy::text || ',"interval":"' || $6::text || '","meter_id":' || to_json(b.meter_id)::text
                || ',"plant_id":"' || p.id::text || '","time":"' || to_char(b.bucket AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24":"MI":"SS.MS"Z"') || '"}',
                ',' ORDER BY b.bucket, b.meter_id), '')
            FROM (
                SELECT date_bin($3::interval, minute, timestamptz '1970-01-01 00:00:00+00') AS bucket, meter_id, sum(energy_sum) AS energy
                FROM meter_minutes
                WHERE plant_id = $1 AND minute >= $4::timestamptz AND minute < $5::timestamptz
                GROUP BY 1, 2
            ) AS b
        ) AS body
        FROM plants AS p WHERE p.id = $1 AND p.organization_id = $2
        """

    /// The `/telemetry` response body, or `.plantNotFound`.
    public static func telemetryJSONQuery(plantID: UUID, organizationID: UUID, window: TelemetryQueryWindow) -> PostgresQuery<Lookup<[UInt8]>> {
        PostgresQuery(telemetryJSONSQL, windowParameters(plantID: plantID, organizationID: organizationID, window: window), decode: body)
    }

    /// The `/meters` response body, or `.plantNotFound`.
    public static func metersJSONQuery(plantID: UUID, organizationID: UUID, window: TelemetryQueryWindow) -> PostgresQuery<Lookup<[UInt8]>> {
        PostgresQuery(metersJSONSQL, windowParameters(plantID: plantID, organizationID: organizationID, window: window)
                        + [.text(window.interval.label)], decode: body)
    }

    public static func telemetryJSON(plantID: UUID, organizationID: UUID, window: TelemetryQueryWindow,
                                     on connection: PostgresConnection) throws -> Lookup<[UInt8]> {
        try connection.run(telemetryJSONQuery(plantID: plantID, organizationID: organizationID, window: window))
    }

    public static func metersJSON(plantID: UUID, organizationID: UUID, window: TelemetryQueryWindow,
                                  on connection: PostgresConnection) throws -> Lookup<[UInt8]> {
        try connection.run(metersJSONQuery(plantID: plantID, organizationID: organizationID, window: window))
    }

    @Sendable private static func body(_ rows: PostgresRows) throws -> Lookup<[UInt8]> {
        guard let row = try rows.singleRow() else { return .plantNotFound }
        var body: [UInt8] = [UInt8(ascii: "[")]
        body.append(contentsOf: (try row.optionalString(0) ?? "").utf8)
        body.append(UInt8(ascii: "]"))
        return .found(body)
    }

    private static func windowParameters(plantID: UUID, organizationID: UUID, window: TelemetryQueryWindow) -> [PostgresValue] {
        [.uuid(plantID), .uuid(organizationID), .interval(seconds: Int64(window.interval.minutes) * 60),
         .text(window.firstBucketStart.rfc3339), .text(window.endBoundary.rfc3339)]
    }

    /// Telemetry buckets of `window`, ascending; buckets without samples are absent.
    public static func telemetry(plantID: UUID, organizationID: UUID, window: TelemetryQueryWindow,
                                 on connection: PostgresConnection) throws -> Lookup<[TelemetryBucket]> {
        let rows = try connection.queryPrepared(telemetrySQL, windowParameters(plantID: plantID, organizationID: organizationID, window: window))
        guard !rows.isEmpty else { return .plantNotFound }
        var buckets: [TelemetryBucket] = []
        buckets.reserveCapacity(rows.count)
        for row in rows {
            guard let micros = try row.optionalInt(0) else { continue }
            var values: [Double?] = []
            values.reserveCapacity(TelemetryField.allCases.count)
            for index in 1...TelemetryField.allCases.count { values.append(try row.optionalDouble(index)) }
            buckets.append(TelemetryBucket(time: TelemetryTimestamp(microsecondsSinceEpoch: Int64(micros)), values: values))
        }
        return .found(buckets)
    }

    /// Meter energy per bucket and meter, ascending by time then meter id.
    public static func meters(plantID: UUID, organizationID: UUID, window: TelemetryQueryWindow,
                              on connection: PostgresConnection) throws -> Lookup<[MeterBucket]> {
        let rows = try connection.queryPrepared(metersSQL, windowParameters(plantID: plantID, organizationID: organizationID, window: window))
        guard !rows.isEmpty else { return .plantNotFound }
        var buckets: [MeterBucket] = []
        for row in rows {
            guard let micros = try row.optionalInt(0) else { continue }
            buckets.append(MeterBucket(time: TelemetryTimestamp(microsecondsSinceEpoch: Int64(micros)),
                                       meterID: try row.string(1), energy: try row.double(2)))
        }
        return .found(buckets)
    }

    /// The plant's newest sample; `.found(nil)` when the plant has none yet.
    public static func latestQuery(plantID: UUID, organizationID: UUID) -> PostgresQuery<Lookup<Latest?>> {
        PostgresQuery(latestSQL, [.uuid(plantID), .uuid(organizationID)]) { rows in
            guard let row = try rows.singleRow() else { return .plantNotFound }
            guard let micros = try row.optionalInt(0) else { return .found(nil) }
            var values: [Double?] = []
            for index in 1...TelemetryField.allCases.count { values.append(try row.optionalDouble(index)) }
            return .found(Latest(time: TelemetryTimestamp(microsecondsSinceEpoch: Int64(micros)), values: values))
        }
    }

    public static func latest(plantID: UUID, organizationID: UUID, on connection: PostgresConnection) throws -> Lookup<Latest?> {
        try connection.run(latestQuery(plantID: plantID, organizationID: organizationID))
    }
}
