import Foundation
import Synchronization

/// A structured logger writing one JSON object per line (`ts`, `level`, `msg`, then metadata with
/// dotted keys such as `request.id`). A value type: copy it and add metadata for a narrower scope.
/// Never pass secrets, tokens, `Authorization` values or URL passwords as metadata.
public struct Logger: Sendable {
    public enum Level: String, Sendable, Comparable, CaseIterable {
        case debug, info, warning, error

        private var rank: Int {
            switch self {
            case .debug: 0
            case .info: 1
            case .warning: 2
            case .error: 3
            }
        }

        public static func < (lhs: Level, rhs: Level) -> Bool { lhs.rank < rhs.rank }
    }

    /// Where finished lines go.
    public typealias Sink = @Sendable (String) -> Void

    public var level: Level
    public var metadata: [String: String]
    private let sink: Sink

    public init(level: Level = .info, metadata: [String: String] = [:], sink: @escaping Sink = Logger.standardOutput) {
        self.level = level
        self.metadata = metadata
        self.sink = sink
    }

    /// Writes whole lines to stdout under a lock so lines from many threads never interleave.
    public static let standardOutput: Sink = { line in
        StandardOutputWriter.shared.write(line)
    }

    /// A logger that drops everything (tests, benchmarks).
    public static let silent = Logger(level: .error, sink: { _ in })

    public func with(_ extra: [String: String]) -> Logger {
        var copy = self
        copy.metadata.merge(extra) { $1 }
        return copy
    }

    public func debug(_ message: @autoclosure () -> String, _ extra: [String: String] = [:]) {
        log(.debug, message(), extra)
    }

    public func info(_ message: @autoclosure () -> String, _ extra: [String: String] = [:]) {
        log(.info, message(), extra)
    }

    public func warning(_ message: @autoclosure () -> String, _ extra: [String: String] = [:]) {
        log(.warning, message(), extra)
    }

    public func error(_ message: @autoclosure () -> String, _ extra: [String: String] = [:]) {
        log(.error, message(), extra)
    }

    public func log(_ messageLevel: Level, _ message: @autoclosure () -> String, _ extra: [String: String] = [:]) {
        guard messageLevel >= level else { return }
        var fields = metadata
        fields.merge(extra) { $1 }
        sink(Self.line(level: messageLevel, message: message(), fields: fields, date: Date()))
    }

    /// One JSON line: fixed keys first, then metadata sorted by key, so lines diff and grep well.
    static func line(level: Level, message: String, fields: [String: String], date: Date) -> String {
        var out = "{\"ts\":\"\(timestamp(date))\",\"level\":\"\(level.rawValue)\",\"msg\":"
        appendJSONString(message, to: &out)
        for key in fields.keys.sorted() {
            out += ","
            appendJSONString(key, to: &out)
            out += ":"
            appendJSONString(fields[key] ?? "", to: &out)
        }
        out += "}"
        return out
    }

    static func timestamp(_ date: Date) -> String {
        date.formatted(.iso8601.year().month().day().dateSeparator(.dash).time(includingFractionalSeconds: true)
            .timeSeparator(.colon).timeZone(separator: .omitted))
    }

    static func appendJSONString(_ string: String, to out: inout String) {
        JSONText.appendString(string, to: &out)
    }
}

/// Serialises writes of whole lines to standard output.
final class StandardOutputWriter: Sendable {
    static let shared = StandardOutputWriter()
    private let lock = Mutex(())

    func write(_ line: String) {
        let bytes = Array((line + "\n").utf8)
        lock.withLock { _ in
            bytes.withUnsafeBytes { raw in
                var offset = 0
                while offset < raw.count {
                    let written = Foundation.write(1, raw.baseAddress! + offset, raw.count - offset)
                    if written <= 0 { break }
                    offset += written
                }
            }
        }
    }
}

/// Collects log lines in memory; for tests that check what was (and was not) logged.
public final class LogCapture: Sendable {
    private let storage = Mutex<[String]>([])

    public init() {}

    public var sink: Logger.Sink {
        { [self] line in self.storage.withLock { $0.append(line) } }
    }

    public var lines: [String] { storage.withLock { $0 } }
}
