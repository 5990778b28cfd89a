/// Where the ingest pipeline reports what happens: the daemon wires it to its JSON logger.
/// (A plain closure, so the pipeline needs no knowledge of the logging backend.)
public struct IngestLog: Sendable {
    public enum Level: String, Sendable { case debug, info, warning, error }

    let sink: @Sendable (Level, String, [String: String]) -> Void

    public init(_ sink: @escaping @Sendable (Level, String, [String: String]) -> Void) {
        self.sink = sink
    }

    /// Discards everything (tests that assert on outcomes, not on logs).
    public static let silent = IngestLog { _, _, _ in }

    func debug(_ message: String, _ metadata: [String: String] = [:]) { sink(.debug, message, metadata) }
    func info(_ message: String, _ metadata: [String: String] = [:]) { sink(.info, message, metadata) }
    func warning(_ message: String, _ metadata: [String: String] = [:]) { sink(.warning, message, metadata) }
    func error(_ message: String, _ metadata: [String: String] = [:]) { sink(.error, message, metadata) }
}
