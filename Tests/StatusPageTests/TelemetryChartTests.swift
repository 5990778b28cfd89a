import Foundation
import Testing
@testable import StatusPage

@Suite struct TelemetryChartTests {
    static let body = Array("""
        [{"consumption":1,"fve_power":2.5,"fve_reg":null,"grid_power":-3,"invertor_power":null,"plant_id":"p","soc":40,"time":"2026-01-01T00:00:00Z"},\
        {"consumption":1,"fve_power":null,"fve_reg":null,"grid_power":4,"invertor_power":null,"plant_id":"p","soc":60,"time":"2026-01-01T00:05:00Z"},\
        {"consumption":1,"fve_power":3,"fve_reg":null,"grid_power":5,"invertor_power":null,"plant_id":"p","soc":80,"time":"2026-01-01T00:20:00Z"}]
        """.utf8)

    @Test func readsTheTelemetryEndpointBody() {
        let buckets = TelemetryChart.buckets(fromTelemetryJSON: Self.body)
        #expect(buckets.count == 3)
        #expect(buckets[0] == .init(time: 1_767_225_600, soc: 40, gridPower: -3, pvPower: 2.5))
        #expect(buckets[1].pvPower == nil)
        #expect(TelemetryChart.buckets(fromTelemetryJSON: Array("{}".utf8)).isEmpty)
    }

    /// Each point sits where the scales the SVG states put it, computed here independently.
    @Test func pointsFollowTheStatedScales() throws {
        let buckets = TelemetryChart.buckets(fromTelemetryJSON: Self.body)
        let start = 1_767_225_600.0, end = start + 1800
        let svg = TelemetryChart.svg(buckets, start: start, end: end, intervalSeconds: 300)
        let plot = try #require(attribute("data-plot", in: svg)).split(separator: " ").compactMap { Double($0) }
        let power = try #require(attribute("data-power-range", in: svg)).split(separator: " ").compactMap { Double($0) }
        #expect(power[0] <= -3 && power[1] >= 5)
        let soc = polylines(svg, series: "soc")
        // 00:05 → 00:20 is a gap of three buckets: two runs.
        #expect(soc.count == 2)
        let points = soc.flatMap { $0 }
        #expect(points.count == 3)
        for (point, bucket) in zip(points, buckets) {
            let x = plot[0] + (bucket.time - start) / (end - start) * plot[2]
            let y = plot[1] + plot[3] - (bucket.soc! / 100) * plot[3]
            #expect(abs(point.0 - x) < 0.06 && abs(point.1 - y) < 0.06)
        }
        // PV has no value in the middle bucket: two runs of one point each.
        #expect(polylines(svg, series: "fve_power").map(\.count) == [1, 1])
        #expect(polylines(svg, series: "grid_power").flatMap { $0 }.count == 3)
    }

    @Test func emptyRangeSaysSo() {
        let svg = TelemetryChart.svg([], start: 0, end: 3600, intervalSeconds: 300)
        #expect(svg.contains("No telemetry in this range"))
        #expect(!svg.contains("<polyline"))
    }

    @Test func powerAxisIncludesZeroAndRoundsOut() {
        // Four ticks of a 1-2-5 step that cover the values and 0.
        let axis = TelemetryChart.powerAxis([.init(time: 0, soc: nil, gridPower: 3.2, pvPower: 7.9)])
        #expect(axis == (0, 8))
        let negative = TelemetryChart.powerAxis([.init(time: 0, soc: nil, gridPower: -12, pvPower: 1)])
        #expect(negative == (-15, 5))
        let large = TelemetryChart.powerAxis([.init(time: 0, soc: nil, gridPower: 1234, pvPower: nil)])
        #expect(large == (0, 2000))
    }

    func attribute(_ name: String, in svg: String) -> String? {
        guard let range = svg.range(of: "\(name)=\"") else { return nil }
        return String(svg[range.upperBound...].prefix { $0 != "\"" })
    }

    func polylines(_ svg: String, series: String) -> [[(Double, Double)]] {
        svg.components(separatedBy: "<polyline").dropFirst().filter { $0.contains("data-series=\"\(series)\"") }.map { element in
            let points = attribute("points", in: element) ?? ""
            return points.split(separator: " ").map { pair in
                let xy = pair.split(separator: ",").compactMap { Double($0) }
                return (xy[0], xy[1])
            }
        }
    }
}
