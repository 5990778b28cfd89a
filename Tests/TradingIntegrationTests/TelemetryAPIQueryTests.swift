import Accounts
@testable import API
import Domain
import Foundation
import Ingest
import JSON
import Postgres
import Testing
import TestSupport
@testable import Trading
@testable import TradingAPI
import TradingCore
@testable import Tradingd

/// The roll-up queries behind `/telemetry` and `/meters`, against the real database.
struct TelemetryAPIQueryTests {
    private static func at(_ text: String) -> TelemetryTimestamp { TelemetryTimestamp(rfc3339: text)! }

    private struct Setup {
        let database: PostgresConnection
        let organizationID: UUID
        let plantID: UUID
    }

    private func setup() throws -> Setup {
        let database = try PostgresConnection(url: try TestDatabase.fresh())
        let slug = "q-" + UUID().uuidString.prefix(8).lowercased()
        let organizationID = try database.query("INSERT INTO organizations (slug, name) VALUES ($1, 'Q') RETURNING id", [.text(slug)])
            .singleRow()!.uuid("id")
        let plantID = try database.query("INSERT INTO plants (organization_id, name) VALUES ($1, 'p') RETURNING id", [.uuid(organizationID)])
            .singleRow()!.uuid("id")
        return Setup(database: database, organizationID: organizationID, plantID: plantID)
    }

    private func window(_ from: String, _ to: String, _ minutes: Int) -> TelemetryQueryWindow {
        TelemetryQueryWindow(from: Self.at(from), to: Self.at(to), interval: BucketInterval(minutes: minutes)!)
    }

    private func buckets(_ s: Setup, _ window: TelemetryQueryWindow) throws -> [TelemetryQueryStore.TelemetryBucket] {
        guard case .found(let buckets) = try TelemetryQueryStore.telemetry(
            plantID: s.plantID, organizationID: s.organizationID, window: window, on: s.database)
        else {
            Issue.record("plant not found")
            return []
        }
        return buckets
    }

    /// Bucket averages equal an independent computation for every interval from 1 to 60.
    @Test func bucketsEqualAnIndependentComputation() throws {
        let s = try setup()
        var random = IngestRandomData()
        let start = Self.at("2026-01-15T09:00:00Z")
        var samples: [TelemetrySample] = []
        for _ in 0..<2000 {
            samples.append(random.sample(plant: s.plantID, time: start.adding(microseconds: Int64.random(in: 0..<(3 * 3600 * 1_000_000)))))
        }
        try TelemetryWriter.insert(samples, on: s.database)
        let unique = Dictionary(samples.map { ($0.time, $0) }, uniquingKeysWith: { first, _ in first }).values

        for minutes in [1, 5, 7, 15, 60] + [Int.random(in: 2...59)] {
            let interval = BucketInterval(minutes: minutes)!
            let query = window("2026-01-15T09:13:00Z", "2026-01-15T11:31:00Z", minutes)
            var sums: [TelemetryTimestamp: [(sum: Double, count: Int)]] = [:]
            for sample in unique {
                let bucket = interval.bucketStart(containing: sample.time)
                guard bucket >= query.firstBucketStart, bucket < query.endBoundary else { continue }
                var entry = sums[bucket] ?? Array(repeating: (0, 0), count: TelemetryField.allCases.count)
                for field in TelemetryField.allCases {
                    if let value = sample[field] {
                        entry[field.index].sum += value
                        entry[field.index].count += 1
                    }
                }
                sums[bucket] = entry
            }
            let expected = sums.keys.sorted().map { time in
                TelemetryQueryStore.TelemetryBucket(time: time, values: sums[time]!.map { $0.count == 0 ? nil : $0.sum / Double($0.count) })
            }
            #expect(try buckets(s, query) == expected, "interval \(minutes)")
            // The body PostgreSQL writes is the one the Swift renderer writes from the same buckets.
            guard case .found(let body) = try TelemetryQueryStore.telemetryJSON(
                plantID: s.plantID, organizationID: s.organizationID, window: query, on: s.database)
            else {
                Issue.record("plant not found")
                return
            }
            #expect(String(decoding: body, as: UTF8.self)
                == String(decoding: TelemetryResponseJSON.telemetry(plantID: s.plantID, buckets: expected), as: UTF8.self))
        }
    }

    @Test func bucketBoundariesAreHalfOpenAndUTCAligned() throws {
        let s = try setup()
        var samples: [TelemetrySample] = []
        for (time, soc) in [("2026-01-15T09:59:59.999999Z", 10.0), ("2026-01-15T10:00:00Z", 20.0), ("2026-01-15T10:59:59Z", 30.0),
                            ("2026-01-15T11:00:00Z", 40.0), ("2026-01-15T10:06:59Z", 50.0), ("2026-01-15T10:07:00Z", 60.0)] {
            var sample = TelemetrySample(plantID: s.plantID, time: Self.at(time))
            sample[.soc] = soc
            samples.append(sample)
        }
        try TelemetryWriter.insert(samples, on: s.database)

        let hourly = try buckets(s, window("2026-01-15T09:00:00Z", "2026-01-15T12:00:00Z", 60))
        #expect(hourly.map(\.time) == [Self.at("2026-01-15T09:00:00Z"), Self.at("2026-01-15T10:00:00Z"), Self.at("2026-01-15T11:00:00Z")])
        #expect(hourly.map { $0.values[TelemetryField.soc.index] } == [10, 40, 40])  // (20+30+50+60)/4
        // 7-minute buckets run on from the epoch: on 2026-01-15 they start at 09:55, 10:02, 10:09.
        let seven = try buckets(s, window("2026-01-15T10:00:00Z", "2026-01-15T10:10:00Z", 7))
        #expect(seven.map(\.time) == [Self.at("2026-01-15T09:55:00Z"), Self.at("2026-01-15T10:02:00Z")])
        #expect(seven.map { $0.values[TelemetryField.soc.index] } == [15, 55])
        // A range inside one bucket returns that bucket whole.
        let inside = try buckets(s, window("2026-01-15T10:30:00Z", "2026-01-15T10:31:00Z", 60))
        #expect(inside.map(\.time) == [Self.at("2026-01-15T10:00:00Z")])
        // `to` is exclusive: a range ending at 11:00 does not include the 11:00 bucket.
        let exclusive = try buckets(s, window("2026-01-15T10:00:00Z", "2026-01-15T11:00:00Z", 60))
        #expect(exclusive.map(\.time) == [Self.at("2026-01-15T10:00:00Z")])
        // Interval 1: one bucket per minute that holds samples, the missing fields null.
        let minutes = try buckets(s, window("2026-01-15T10:06:00Z", "2026-01-15T10:08:00Z", 1))
        #expect(minutes.map(\.time) == [Self.at("2026-01-15T10:06:00Z"), Self.at("2026-01-15T10:07:00Z")])
        #expect(minutes.first?.values[TelemetryField.consumption.index] == nil)
    }

    @Test func emptyRangesAndOtherOrganisationsPlants() throws {
        let s = try setup()
        var sample = TelemetrySample(plantID: s.plantID, time: Self.at("2026-01-15T10:00:00Z"))
        sample[.gridPower] = 5
        try TelemetryWriter.insert([sample], on: s.database)
        #expect(try buckets(s, window("2026-01-15T10:00:00Z", "2026-01-15T10:00:00Z", 5)).isEmpty)
        #expect(try buckets(s, window("2026-01-16T10:00:00Z", "2026-01-16T11:00:00Z", 5)).isEmpty)

        let other = try s.database.query("INSERT INTO organizations (slug, name) VALUES ($1, 'other') RETURNING id",
                                         [.text("o-" + UUID().uuidString.prefix(8).lowercased())]).singleRow()!.uuid("id")
        let foreign = try TelemetryQueryStore.telemetry(plantID: s.plantID, organizationID: other,
                                                        window: window("2026-01-15T10:00:00Z", "2026-01-15T11:00:00Z", 5), on: s.database)
        guard case .plantNotFound = foreign else { Issue.record("another organisation's plant was visible"); return }
        guard case .plantNotFound = try TelemetryQueryStore.latest(plantID: s.plantID, organizationID: other, on: s.database) else {
            Issue.record("another organisation's latest was visible")
            return
        }
    }

    @Test func latestIsTheNewestSampleOrNone() throws {
        let s = try setup()
        guard case .found(nil) = try TelemetryQueryStore.latest(plantID: s.plantID, organizationID: s.organizationID, on: s.database) else {
            Issue.record("expected no data yet")
            return
        }
        var newer = TelemetrySample(plantID: s.plantID, time: Self.at("2026-01-15T10:00:01.5Z"))
        newer[.soc] = 77
        var older = TelemetrySample(plantID: s.plantID, time: Self.at("2026-01-15T10:00:00Z"))
        older[.soc] = 11
        try TelemetryWriter.insert([newer], on: s.database)
        try TelemetryWriter.insert([older], on: s.database)  // late: must not replace the newer one
        let latest = try TelemetryQueryStore.latest(plantID: s.plantID, organizationID: s.organizationID, on: s.database)
        guard case .found(let value?) = latest else { Issue.record("no latest"); return }
        #expect(value == .init(time: newer.time, values: newer.values))
        #expect(String(decoding: TelemetryResponseJSON.latest(plantID: s.plantID, latest: value), as: UTF8.self)
            == "{\"consumption\":null,\"fve_power\":null,\"fve_reg\":null,\"grid_power\":null,\"invertor_power\":null,\"plant_id\":\"\(s.plantID.uuidString.lowercased())\",\"soc\":77,\"time\":\"2026-01-15T10:00:01.500Z\"}")
    }

    @Test func meterEnergyIsSummedPerMeterAndBucket() throws {
        let s = try setup()
        let readings = [
            MeterReading(plantID: s.plantID, meterID: "b", time: Self.at("2026-01-15T10:01:00Z"), energy: 1.25),
            MeterReading(plantID: s.plantID, meterID: "b", time: Self.at("2026-01-15T10:04:59Z"), energy: 2),
            MeterReading(plantID: s.plantID, meterID: "a\"x", time: Self.at("2026-01-15T10:03:00Z"), energy: 0.5),
            MeterReading(plantID: s.plantID, meterID: "b", time: Self.at("2026-01-15T10:05:00Z"), energy: 4),
        ]
        try TelemetryWriter.insert(readings, on: s.database)
        let query = window("2026-01-15T10:00:00Z", "2026-01-15T10:10:00Z", 5)
        guard case .found(let buckets) = try TelemetryQueryStore.meters(plantID: s.plantID, organizationID: s.organizationID, window: query, on: s.database) else {
            Issue.record("plant not found")
            return
        }
        #expect(buckets == [
            .init(time: Self.at("2026-01-15T10:00:00Z"), meterID: "a\"x", energy: 0.5),
            .init(time: Self.at("2026-01-15T10:00:00Z"), meterID: "b", energy: 3.25),
            .init(time: Self.at("2026-01-15T10:05:00Z"), meterID: "b", energy: 4),
        ])
        let plant = s.plantID.uuidString.lowercased()
        guard case .found(let body) = try TelemetryQueryStore.metersJSON(plantID: s.plantID, organizationID: s.organizationID, window: query, on: s.database) else {
            Issue.record("plant not found")
            return
        }
        #expect(String(decoding: body, as: UTF8.self)
            == String(decoding: TelemetryResponseJSON.meters(plantID: s.plantID, interval: query.interval, buckets: buckets), as: UTF8.self))
        #expect(String(decoding: TelemetryResponseJSON.meters(plantID: s.plantID, interval: query.interval, buckets: Array(buckets.prefix(1))), as: UTF8.self)
            == "[{\"energy\":0.5,\"interval\":\"5m\",\"meter_id\":\"a\\\"x\",\"plant_id\":\"\(plant)\",\"time\":\"2026-01-15T10:00:00.000Z\"}]")
    }
}
