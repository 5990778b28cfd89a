import Foundation
import JSON
import TradingCore

/// The status page's telemetry chart: state of charge (left axis, 0–100 %), grid power and PV
/// power (`fve_power`, right axis) of one plant, drawn as inline SVG from the body the telemetry
/// endpoint serves for the same window, so the chart shows exactly what a dashboard would get.
///
/// The `<svg>` states its scales (`data-plot`, `data-time-range`, `data-soc-range`,
/// `data-power-range`) so a test can map each bucket to the point it must find. A series breaks
/// where buckets are missing, so a gap in the data shows as a gap.
enum TelemetryChart {
    struct Bucket: Sendable, Equatable {
        /// Bucket start, seconds since the epoch.
        let time: Double
        let soc: Double?
        let gridPower: Double?
        let pvPower: Double?
    }

    struct Series: Sendable {
        let key: String
        let label: String
        let cssClass: String
        let axis: Axis
        let value: @Sendable (Bucket) -> Double?
    }

    enum Axis: Sendable { case soc, power }

    static let series: [Series] = [
        Series(key: "soc", label: "State of charge (%)", cssClass: "s-soc", axis: .soc, value: { $0.soc }),
        Series(key: "grid_power", label: "Grid power", cssClass: "s-grid", axis: .power, value: { $0.gridPower }),
        Series(key: "fve_power", label: "PV power", cssClass: "s-pv", axis: .power, value: { $0.pvPower }),
    ]

    static let width = 760.0, height = 280.0
    static let left = 48.0, right = 60.0, top = 14.0, bottom = 30.0
    static var plotWidth: Double { width - left - right }
    static var plotHeight: Double { height - top - bottom }

    /// The buckets of a telemetry endpoint body (`[{"plant_id", "soc", "time", ...}, ...]`).
    static func buckets(fromTelemetryJSON body: [UInt8]) -> [Bucket] {
        guard case .array(let items)? = JSONValue.parse(body) else { return [] }
        return items.compactMap { item in
            guard let object = item.objectValue, let text = object["time"]?.stringValue,
                  let time = TelemetryTimestamp(rfc3339: text) else { return nil }
            func number(_ key: String) -> Double? {
                if case .number(let value)? = object[key] { return value }
                return nil
            }
            return Bucket(time: Double(time.microsecondsSinceEpoch) / 1e6, soc: number("soc"), gridPower: number("grid_power"),
                          pvPower: number("fve_power"))
        }
    }

    /// The chart over `[start, end)` (seconds), with buckets of `intervalSeconds`.
    static func svg(_ buckets: [Bucket], start: Double, end: Double, intervalSeconds: Double) -> String {
        let powerRange = powerAxis(buckets)
        let span = max(end - start, 1)
        func x(_ time: Double) -> Double { left + (time - start) / span * plotWidth }
        func y(_ value: Double, _ axis: Axis) -> Double {
            let (low, high) = axis == .soc ? (0.0, 100.0) : powerRange
            return top + plotHeight - (value - low) / (high - low) * plotHeight
        }
        var out = """
            <svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 \(format(width)) \(format(height))" role="img" \
            aria-label="Telemetry chart" data-plot="\(format(left)) \(format(top)) \(format(plotWidth)) \(format(plotHeight))" \
            data-time-range="\(format(start)) \(format(end))" data-soc-range="0 100" \
            data-power-range="\(format(powerRange.0)) \(format(powerRange.1))" data-buckets="\(buckets.count)">
            <rect class="plot" x="\(format(left))" y="\(format(top))" width="\(format(plotWidth))" height="\(format(plotHeight))"/>

            """
        for tick in 0...4 {
            let soc = Double(tick) * 25
            let power = powerRange.0 + (powerRange.1 - powerRange.0) * Double(tick) / 4
            let lineY = format(y(soc, .soc))
            out += "<line class=\"grid\" x1=\"\(format(left))\" x2=\"\(format(left + plotWidth))\" y1=\"\(lineY)\" y2=\"\(lineY)\"/>"
            out += "<text class=\"tick\" x=\"\(format(left - 6))\" y=\"\(lineY)\" text-anchor=\"end\" dominant-baseline=\"middle\">\(Int(soc))</text>"
            out += "<text class=\"tick\" x=\"\(format(left + plotWidth + 6))\" y=\"\(lineY)\" dominant-baseline=\"middle\">\(compact(power))</text>\n"
        }
        for tick in 0...4 {
            let time = start + span * Double(tick) / 4
            out += "<text class=\"tick\" x=\"\(format(x(time)))\" y=\"\(format(height - 10))\" text-anchor=\"middle\">"
                + "\(timeLabel(time, span: span))</text>"
        }
        if powerRange.0 < 0 {
            let zero = format(y(0, .power))
            out += "\n<line class=\"zero\" x1=\"\(format(left))\" x2=\"\(format(left + plotWidth))\" y1=\"\(zero)\" y2=\"\(zero)\"/>"
        }
        for series in series {
            for segment in segments(buckets, series.value, gap: intervalSeconds * 1.5) {
                let points = segment.map { "\(format(x($0.time))),\(format(y($0.value, series.axis)))" }.joined(separator: " ")
                out += "\n<polyline class=\"\(series.cssClass)\" data-series=\"\(series.key)\" points=\"\(points)\"/>"
                if segment.count == 1, let only = segment.first {  // a lone bucket would draw no line
                    out += "<circle class=\"\(series.cssClass) dot\" cx=\"\(format(x(only.time)))\" "
                        + "cy=\"\(format(y(only.value, series.axis)))\" r=\"2.5\"/>"
                }
            }
        }
        if buckets.isEmpty {
            out += "\n<text class=\"empty\" x=\"\(format(left + plotWidth / 2))\" y=\"\(format(top + plotHeight / 2))\" "
                + "text-anchor=\"middle\">No telemetry in this range</text>"
        }
        return out + "\n</svg>"
    }

    /// Runs of consecutive buckets carrying the value; a missing bucket (a gap longer than `gap`)
    /// or a missing value starts a new run.
    static func segments(_ buckets: [Bucket], _ value: (Bucket) -> Double?, gap: Double) -> [[(time: Double, value: Double)]] {
        var runs: [[(time: Double, value: Double)]] = []
        var current: [(time: Double, value: Double)] = []
        for bucket in buckets {
            guard let number = value(bucket) else {
                if !current.isEmpty { runs.append(current) }
                current = []
                continue
            }
            if let last = current.last, bucket.time - last.time > gap {
                runs.append(current)
                current = []
            }
            current.append((bucket.time, number))
        }
        if !current.isEmpty { runs.append(current) }
        return runs
    }

    /// The power axis: always includes 0, four ticks of a 1-2-5 step, so the tick labels read well.
    static func powerAxis(_ buckets: [Bucket]) -> (Double, Double) {
        let values = buckets.flatMap { [$0.gridPower, $0.pvPower].compactMap { $0 } }
        let low = min(values.min() ?? 0, 0), high = max(values.max() ?? 1, 0)
        guard high > low else { return (low, low + 1) }
        var magnitude = pow(10, floor(log10((high - low) / 4)))
        while true {
            for factor in [1.0, 2, 5] {
                let step = factor * magnitude, bottom = floor(low / step) * step
                if bottom + 4 * step >= high { return (bottom, bottom + 4 * step) }
            }
            magnitude *= 10
        }
    }

    static func timeLabel(_ seconds: Double, span: Double) -> String {
        let date = Date(timeIntervalSince1970: seconds)
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let parts = calendar.dateComponents([.month, .day, .hour, .minute], from: date)
        let time = String(format: "%02d:%02d", parts.hour ?? 0, parts.minute ?? 0)
        return span > 2 * 86_400 ? String(format: "%02d-%02d ", parts.month ?? 0, parts.day ?? 0) + time : time
    }

    /// One decimal, without a trailing `.0`: coordinates stay short and exact enough (0.1 px).
    static func format(_ value: Double) -> String {
        let rounded = (value * 10).rounded() / 10
        return rounded == rounded.rounded() ? String(Int64(rounded)) : String(rounded)
    }

    static func compact(_ value: Double) -> String {
        abs(value) >= 1000 ? format(value / 1000) + "k" : format(value)
    }
}
