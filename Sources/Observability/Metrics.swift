import Foundation
import Synchronization

/// A registry of counters, gauges and histograms rendered in the Prometheus text format
/// (version 0.0.4). Metric families are registered once; samples are told apart by labels.
public final class MetricsRegistry: Sendable {
    public enum Kind: String, Sendable { case counter, gauge, histogram }

    private struct Family {
        var kind: Kind
        var help: String
        var buckets: [Double]
        var series: [Labels: Series] = [:]
    }

    private struct Series {
        var value: Double = 0
        var bucketCounts: [UInt64] = []
        var count: UInt64 = 0
        var sum: Double = 0
    }

    /// Label pairs kept sorted by name so equal label sets compare equal.
    public struct Labels: Hashable, Sendable {
        let pairs: [(String, String)]

        public init(_ labels: [String: String]) {
            pairs = labels.sorted { $0.key < $1.key }
        }

        public static func == (lhs: Labels, rhs: Labels) -> Bool {
            lhs.pairs.elementsEqual(rhs.pairs) { $0 == $1 }
        }

        public func hash(into hasher: inout Hasher) {
            for (name, value) in pairs {
                hasher.combine(name)
                hasher.combine(value)
            }
        }
    }

    /// Collectors that set gauges just before rendering (values owned elsewhere).
    private let families = Mutex<[String: Family]>([:])
    private let collectors = Mutex<[@Sendable (MetricsRegistry) -> Void]>([])

    public static let defaultLatencyBuckets: [Double] = [
        0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
    ]

    public init() {}

    public func register(_ name: String, kind: Kind, help: String, buckets: [Double] = MetricsRegistry.defaultLatencyBuckets) {
        families.withLock { all in
            if all[name] == nil {
                all[name] = Family(kind: kind, help: help, buckets: kind == .histogram ? buckets.sorted() : [])
            }
        }
    }

    public func increment(_ name: String, by amount: Double = 1, labels: [String: String] = [:]) {
        update(name, labels: labels) { series, _ in series.value += amount }
    }

    public func set(_ name: String, to value: Double, labels: [String: String] = [:]) {
        update(name, labels: labels) { series, _ in series.value = value }
    }

    public func observe(_ name: String, _ value: Double, labels: [String: String] = [:]) {
        update(name, labels: labels) { series, buckets in
            if series.bucketCounts.isEmpty { series.bucketCounts = Array(repeating: 0, count: buckets.count) }
            for (index, bound) in buckets.enumerated() where value <= bound {
                series.bucketCounts[index] += 1
            }
            series.count += 1
            series.sum += value
        }
    }

    /// Replaces every series of a gauge family at once: for gauges whose label sets come and go
    /// (one per queue of the enabled organisations), so a vanished queue leaves no stale series.
    public func replaceAll(_ name: String, with samples: [(labels: [String: String], value: Double)]) {
        families.withLock { all in
            guard all[name] != nil else { preconditionFailure("metric \(name) used before it was registered") }
            var series: [Labels: Series] = [:]
            for sample in samples { series[Labels(sample.labels)] = Series(value: sample.value) }
            all[name]!.series = series
        }
    }

    /// Adds a closure run before each rendering, to copy values kept elsewhere into gauges.
    public func addCollector(_ collector: @escaping @Sendable (MetricsRegistry) -> Void) {
        collectors.withLock { $0.append(collector) }
    }

    /// The current value of a counter or gauge series (tests, readiness decisions).
    public func value(_ name: String, labels: [String: String] = [:]) -> Double? {
        families.withLock { $0[name]?.series[Labels(labels)]?.value }
    }

    private func update(_ name: String, labels: [String: String], _ body: (inout Series, [Double]) -> Void) {
        families.withLock { all in
            guard let buckets = all[name]?.buckets else {
                preconditionFailure("metric \(name) used before it was registered")
            }
            // Mutated in place: copying the family out would copy its whole series table.
            body(&all[name]!.series[Labels(labels), default: Series()], buckets)
        }
    }

    /// The Prometheus text exposition of every family, names sorted.
    public func render() -> String {
        for collector in collectors.withLock({ $0 }) { collector(self) }
        let snapshot = families.withLock { $0 }
        var out = ""
        for name in snapshot.keys.sorted() {
            guard let family = snapshot[name] else { continue }
            out += "# HELP \(name) \(family.help)\n# TYPE \(name) \(family.kind.rawValue)\n"
            let ordered = family.series.sorted { Self.labelText($0.key.pairs) < Self.labelText($1.key.pairs) }
            for (labels, series) in ordered {
                switch family.kind {
                case .counter, .gauge:
                    out += "\(name)\(Self.labelText(labels.pairs)) \(Self.number(series.value))\n"
                case .histogram:
                    for (index, bound) in family.buckets.enumerated() {
                        let pairs = labels.pairs + [("le", Self.number(bound))]
                        let count = series.bucketCounts.isEmpty ? 0 : series.bucketCounts[index]
                        out += "\(name)_bucket\(Self.labelText(pairs)) \(count)\n"
                    }
                    out += "\(name)_bucket\(Self.labelText(labels.pairs + [("le", "+Inf")])) \(series.count)\n"
                    out += "\(name)_sum\(Self.labelText(labels.pairs)) \(Self.number(series.sum))\n"
                    out += "\(name)_count\(Self.labelText(labels.pairs)) \(series.count)\n"
                }
            }
        }
        return out
    }

    static func labelText(_ pairs: [(String, String)]) -> String {
        guard !pairs.isEmpty else { return "" }
        let inner = pairs.map { name, value in
            let escaped = value.replacingOccurrences(of: "\\", with: "\\\\")
                .replacingOccurrences(of: "\"", with: "\\\"")
                .replacingOccurrences(of: "\n", with: "\\n")
            return "\(name)=\"\(escaped)\""
        }
        return "{" + inner.joined(separator: ",") + "}"
    }

    static func number(_ value: Double) -> String {
        if value.isInfinite { return value > 0 ? "+Inf" : "-Inf" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return String(value)
    }
}
