import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// The process's own figures under the names every Prometheus client library uses
/// (`process_cpu_seconds_total`, `process_resident_memory_bytes`, ...), read from `/proc/self` at
/// each scrape. Linux only; elsewhere the collector sets nothing.
public enum ProcessMetrics {
    /// One reading of `/proc/self/stat`, `/proc/self/limits` and `/proc/self/fd`.
    public struct Reading: Sendable, Equatable {
        public var cpuSeconds: Double
        public var residentBytes: Double
        public var virtualBytes: Double
        public var threads: Double
        public var startTimeSeconds: Double
        public var openFileDescriptors: Double
        public var maximumFileDescriptors: Double?
    }

    public static func install(on registry: MetricsRegistry) {
        registry.register("process_cpu_seconds_total", kind: .counter, help: "User and system CPU time spent, in seconds.")
        registry.register("process_resident_memory_bytes", kind: .gauge, help: "Resident memory size in bytes.")
        registry.register("process_virtual_memory_bytes", kind: .gauge, help: "Virtual memory size in bytes.")
        registry.register("process_threads", kind: .gauge, help: "Operating system threads of the process.")
        registry.register("process_start_time_seconds", kind: .gauge, help: "Start time of the process since the Unix epoch, in seconds.")
        registry.register("process_open_fds", kind: .gauge, help: "Open file descriptors.")
        registry.register("process_max_fds", kind: .gauge, help: "Maximum number of open file descriptors.")
        registry.addCollector { registry in
            guard let reading = read() else { return }
            registry.set("process_cpu_seconds_total", to: reading.cpuSeconds)
            registry.set("process_resident_memory_bytes", to: reading.residentBytes)
            registry.set("process_virtual_memory_bytes", to: reading.virtualBytes)
            registry.set("process_threads", to: reading.threads)
            registry.set("process_start_time_seconds", to: reading.startTimeSeconds)
            registry.set("process_open_fds", to: reading.openFileDescriptors)
            if let maximum = reading.maximumFileDescriptors { registry.set("process_max_fds", to: maximum) }
        }
    }

    /// The current figures, nil where `/proc` is missing.
    public static func read() -> Reading? {
        #if os(Linux)
        guard let stat = try? String(contentsOfFile: "/proc/self/stat", encoding: .utf8),
              let boot = bootTime() else { return nil }
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        let pageSize = Double(sysconf(Int32(_SC_PAGESIZE)))
        guard var reading = parse(stat: stat, clockTicksPerSecond: ticks, pageSize: pageSize, bootTime: boot) else { return nil }
        let descriptors = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count) ?? 0
        reading.openFileDescriptors = Double(max(descriptors - 1, 0))  // less the one listing the folder
        if let limits = try? String(contentsOfFile: "/proc/self/limits", encoding: .utf8) {
            reading.maximumFileDescriptors = parseMaximumOpenFiles(limits: limits)
        }
        return reading
        #else
        return nil
        #endif
    }

    /// Fields of `/proc/self/stat` (proc(5)): after the command name in parentheses (which may
    /// hold spaces and parentheses itself, hence the last `)`), field 3 is the state; utime and
    /// stime are fields 14 and 15, num_threads 20, starttime 22 (ticks after boot), vsize 23
    /// (bytes) and rss 24 (pages).
    static func parse(stat: String, clockTicksPerSecond ticks: Double, pageSize: Double, bootTime: Double) -> Reading? {
        guard let close = stat.lastIndex(of: ")") else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ", omittingEmptySubsequences: true)
        // fields[0] is field 3 (state), so field n is fields[n - 3].
        func field(_ number: Int) -> Double? {
            number - 3 < fields.count ? Double(fields[number - 3]) : nil
        }
        guard ticks > 0, let user = field(14), let system = field(15), let threads = field(20), let start = field(22),
              let virtualBytes = field(23), let residentPages = field(24) else { return nil }
        return Reading(cpuSeconds: (user + system) / ticks, residentBytes: residentPages * pageSize, virtualBytes: virtualBytes,
                       threads: threads, startTimeSeconds: bootTime + start / ticks, openFileDescriptors: 0,
                       maximumFileDescriptors: nil)
    }

    /// The soft limit of the `Max open files` line of `/proc/self/limits`.
    static func parseMaximumOpenFiles(limits: String) -> Double? {
        for line in limits.split(separator: "\n") where line.hasPrefix("Max open files") {
            let values = line.dropFirst("Max open files".count).split(separator: " ", omittingEmptySubsequences: true)
            return values.first.flatMap { Double($0) }
        }
        return nil
    }

    /// `btime` of `/proc/stat`: the boot time in seconds since the epoch.
    private static func bootTime() -> Double? {
        guard let stat = try? String(contentsOfFile: "/proc/stat", encoding: .utf8) else { return nil }
        for line in stat.split(separator: "\n") where line.hasPrefix("btime ") {
            return Double(line.dropFirst(6).trimmingCharacters(in: .whitespaces))
        }
        return nil
    }
}
