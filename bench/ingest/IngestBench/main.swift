// The Swift side of bench/ingest/run.sh (see there): the broker-limit consumer and tradingd's
// ingest pipeline, each printing one JSON line with its figures.
//
//   ingest-bench declare  --amqp URL --prefix P
//   ingest-bench delete   --amqp URL --prefix P
//   ingest-bench broker   --amqp URL --queue Q --count N
//   ingest-bench serve    --database URL --org UUID --port N   (telemetry API, organisation fixed, no auth)
//   ingest-bench query-sql --plant UUID --org UUID --from T --to T --interval M   (the roll-up with literals, for pgbench)
//   ingest-bench pgbench-script --statement token|latest|telemetry ... --out FILE   (tradingd's statements as a pgbench script)
//   ingest-bench tradingd --amqp URL --database URL --org UUID --prefix P --expect SAMPLES [--consumers K] [--prefetch N]
import AMQP
import API
import Crypto
import Accounts
import Foundation
import HTTPServer
import Ingest
import Observability
import Postgres
import Trading
import TradingAPI
import TradingCore

func argument(_ name: String) -> String? {
    guard let index = CommandLine.arguments.firstIndex(of: name), index + 1 < CommandLine.arguments.count else { return nil }
    return CommandLine.arguments[index + 1]
}

func required(_ name: String) -> String {
    guard let value = argument(name) else {
        FileHandle.standardError.write(Data("ingest-bench: \(name) is required\n".utf8))
        exit(2)
    }
    return value
}

/// Peak resident set size of this process, MiB (VmHWM).
func peakRSSMiB() -> Double {
    let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
    for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
        let kib = Double(line.split(separator: " ").dropFirst().first ?? "0") ?? 0
        return (kib / 1024 * 10).rounded() / 10
    }
    return 0
}

func seconds(_ duration: Duration) -> Double { duration / .seconds(1) }

func declare(delete: Bool) throws {
    let connection = try AMQPConnection(url: try AMQPURL(required("--amqp")))
    defer { connection.close() }
    let channel = try connection.openChannel()
    let prefix = required("--prefix")
    for kind in IngestQueueKind.allCases {
        if delete {
            _ = try? channel.deleteQueue(kind.queueName(prefix: prefix))
            _ = try? channel.deleteQueue(kind.deadLetterQueueName(prefix: prefix))
        } else {
            try IngestTopology.declare(kind: kind, queue: kind.queueName(prefix: prefix),
                                       deadLetterQueue: kind.deadLetterQueueName(prefix: prefix), exchange: "trading", on: channel)
        }
    }
}

/// (a) The broker's limit: consume with prefetch 1000 and ack (multiple) without storing anything.
func brokerLimit() throws {
    let count = Int(required("--count"))!
    let connection = try AMQPConnection(url: try AMQPURL(required("--amqp")), options: .init(connectionName: "ingest-bench broker"))
    defer { connection.close() }
    let channel = try connection.openChannel()
    try channel.setPrefetch(1000)
    try channel.consume(queue: required("--queue"))
    var received = 0
    var first: ContinuousClock.Instant?
    var lastTag: UInt64 = 0
    while received < count, let delivery = try channel.nextDelivery(timeout: .seconds(30)) {
        if first == nil { first = .now }
        received += 1
        lastTag = delivery.deliveryTag
        if received % 500 == 0 { try channel.ack(lastTag, multiple: true) }
    }
    if received % 500 != 0 { try channel.ack(lastTag, multiple: true) }
    let elapsed = seconds(ContinuousClock.now - (first ?? .now))
    print("{\"messages\":\(received),\"seconds\":\(elapsed),\"per_second\":\(Double(received) / elapsed),\"peak_rss_mib\":\(peakRSSMiB())}")
}

/// (d) tradingd's pipeline against a cold queue: from the first delivery to the last commit.
func tradingd() throws {
    let expected = Int(required("--expect"))!
    var options = IngestOptions()
    options.consumersPerQueue = Int(argument("--consumers") ?? "1") ?? 1
    if let prefetch = argument("--prefetch").flatMap(UInt16.init) { options.prefetch = prefetch }
    if let deliveries = argument("--batch-deliveries").flatMap(Int.init) { options.maximumBatchDeliveries = deliveries }
    if let rows = argument("--batch-rows").flatMap(Int.init) { options.maximumBatchRows = rows }
    let organization = IngestService.Organization(id: UUID(uuidString: required("--org"))!, queuePrefix: required("--prefix"))
    let log = Logger(level: .info, sink: { line in FileHandle.standardError.write(Data((line + "\n").utf8)) })
    let service = IngestService(amqpURL: try AMQPURL(required("--amqp")), databaseURL: required("--database"), organizations: [organization],
                                    options: options, retention: nil, log: log)
    service.start()
    let deadline = ContinuousClock.now.advanced(by: .seconds(1800))
    var snapshot = service.metrics.snapshot()
    while ContinuousClock.now < deadline {
        snapshot = service.metrics.snapshot()
        let done = (snapshot.stored[.telemetry] ?? 0) + (snapshot.duplicates[.telemetry] ?? 0)
            + (snapshot.deadLettered[.telemetry]?.values.reduce(0, +) ?? 0)
        if done >= expected { break }
        Thread.sleep(forTimeInterval: 0.02)
    }
    service.stop(grace: .seconds(10))
    let stored = snapshot.stored[.telemetry] ?? 0
    let elapsed = seconds((snapshot.lastCommitAt ?? .now) - (snapshot.firstDeliveryAt ?? .now))
    print("{\"samples\":\(stored),\"duplicates\":\(snapshot.duplicates[.telemetry] ?? 0),\"deliveries\":\(snapshot.deliveriesAcked),"
        + "\"batches\":\(snapshot.batches),\"seconds\":\(elapsed),\"per_second\":\(Double(stored) / elapsed),"
        + "\"peak_rss_mib\":\(peakRSSMiB())}")
}

/// Where the client-side time goes: decoding and encoding the dump's samples, no servers.
func micro() throws {
    let text = try String(contentsOfFile: required("--dump"), encoding: .utf8)
    let lines = text.split(separator: "\n").filter { $0.hasPrefix("T ") }.map { Array($0.dropFirst(2).utf8) }
    var bodies: [[UInt8]] = []
    for start in stride(from: 0, to: lines.count, by: 100) {
        bodies.append(Array("[".utf8) + lines[start..<min(start + 100, lines.count)].joined(separator: Array(",".utf8)) + Array("]".utf8))
    }
    let clock = ContinuousClock()
    var samples: [TelemetrySample] = []
    let decodeTime = clock.measure {
        for body in bodies { samples += TelemetryDecoder.decode(body, now: .now).acceptedItems }
    }
    var literal = 0
    let formatTime = clock.measure {
        for sample in samples { literal += sample.time.rfc3339.utf8.count }
    }
    print("decode: \(Double(samples.count) / seconds(decodeTime)) samples/s; rfc3339: \(Double(samples.count) / seconds(formatTime)) /s")
}

/// The telemetry endpoints on the daemon's HTTP listener (16 workers, as `serve` runs it), with
/// the caller's organisation fixed instead of a token lookup.
func serve() throws {
    let organizationID = UUID(uuidString: required("--org"))!
    let api = TelemetryAPI(pool: PostgresPool(url: required("--database"), size: 16))
    let principal = Principal(tokenID: UUID(), organizationID: organizationID, organizationSlug: "bench", role: .viewer,
                              scopes: [.trading])
    let fixedCaller = ClosureMiddleware { request, next in
        var request = request
        request.attributes[PrincipalKey.self] = principal
        return try next(request)
    }
    var router = Router()
    router.group("/api/v1/trading", middleware: [fixedCaller]) { api.register(on: &$0, prefix: "") }
    let server = HTTPServer(configuration: HTTPServerConfiguration(host: "127.0.0.1", port: Int(required("--port"))!, eventLoopCount: 2,
                                                                   workerCount: 16),
                            router: router)
    let port = try server.start()
    FileHandle.standardError.write(Data("ingest-bench: telemetry API on 127.0.0.1:\(port)\n".utf8))
    while true { Thread.sleep(forTimeInterval: 3600) }
}

/// A pgbench script of the exact statements tradingd runs (`--statement token|latest|telemetry`,
/// repeatable, in order), written to `--out`; each statement's `$n` becomes the pgbench variable
/// `:NAMEn`, and the `-D NAME n=value` arguments for pgbench are printed one per line.
/// token: `--token`; latest: `--plant --org`; telemetry: `--plant --org --from --to --interval`.
func pgbenchScript() throws {
    var lines: [String] = []
    var definitions: [String] = []
    let names = CommandLine.arguments.indices.filter { CommandLine.arguments[$0] == "--statement" }
        .compactMap { $0 + 1 < CommandLine.arguments.count ? CommandLine.arguments[$0 + 1] : nil }
    for name in names {
        let sql: String
        let values: [String]
        switch name {
        case "token":
            sql = TokenStore.authenticateSQL
            values = ["\\x" + SHA256.hexHash(Array(required("--token").utf8))]
        case "latest":
            sql = TelemetryQueryStore.latestSQL
            values = [required("--plant"), required("--org")]
        case "telemetry":
            let window = try TelemetryQueryWindow.parse(from: required("--from"), to: required("--to"), interval: required("--interval"),
                                                        now: .now, maximumBuckets: 100_000).get()
            sql = TelemetryQueryStore.telemetryJSONSQL
            values = [required("--plant"), required("--org"), "\(window.interval.minutes) minutes",
                      window.firstBucketStart.rfc3339, window.endBoundary.rfc3339]
        default:
            FileHandle.standardError.write(Data("ingest-bench: unknown statement \(name)\n".utf8))
            exit(2)
        }
        var text = sql
        for index in values.indices.reversed() { text = text.replacingOccurrences(of: "$\(index + 1)", with: ":\(name)\(index + 1)") }
        lines.append(text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: " ") + ";")
        definitions += values.enumerated().map { "\(name)\($0.offset + 1)=\($0.element)" }
    }
    try (lines.joined(separator: "\n") + "\n").write(toFile: required("--out"), atomically: true, encoding: .utf8)
    for definition in definitions { print("-D\n\(definition)") }
}

/// The exact statement the API runs for a window, parameters spelled as literals.
func querySQL() throws {
    let window = try TelemetryQueryWindow.parse(from: required("--from"), to: required("--to"), interval: required("--interval"),
                                                now: .now, maximumBuckets: 100_000).get()
    let values = ["'\(required("--plant"))'::uuid", "'\(required("--org"))'::uuid", "'\(window.interval.minutes) minutes'",
                  "'\(window.firstBucketStart.rfc3339)'", "'\(window.endBoundary.rfc3339)'"]
    var sql = TelemetryQueryStore.telemetryJSONSQL
    for (index, value) in values.enumerated().reversed() { sql = sql.replacingOccurrences(of: "$\(index + 1)", with: value) }
    print(sql.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: " ") + ";")
}

do {
    switch CommandLine.arguments.dropFirst().first {
    case "serve": try serve()
    case "query-sql": try querySQL()
    case "pgbench-script": try pgbenchScript()
    case "micro": try micro()
    case "declare": try declare(delete: false)
    case "delete": try declare(delete: true)
    case "broker": try brokerLimit()
    case "tradingd": try tradingd()
    default:
        FileHandle.standardError.write(Data("usage: ingest-bench declare|delete|broker|tradingd … (see bench/ingest/run.sh)\n".utf8))
        exit(2)
    }
} catch {
    FileHandle.standardError.write(Data("ingest-bench: \(error)\n".utf8))
    exit(1)
}
