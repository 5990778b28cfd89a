// relay-bench: command-in to ESM-call latency and relay throughput of tradingd's command relay,
// against the in-process ESM simulator with zero latency (bench/relay/run.sh runs it).
//
// Phase 1 (latency): commands are published to P.commands at a steady rate; for each, the time
// from just before its publish to the moment the relay's ESM call returned 202 is recorded.
// Phase 2 (throughput): a backlog of commands is published first, then the relay starts; the
// rate is the backlog over the time until the last one was relayed.
// usage: relay-bench --amqp URL --database URL [--rate 500] [--seconds 20] [--backlog 5000] [--workers 4] [--batch 4]
//                    [--acks on|off]   (off: the simulator publishes no acks, to see their share of the cost)
import AMQP
import ESM
import ESMSimulator
import Foundation
import Observability
import Postgres
import Synchronization
import TradingCore
import Relay

struct Arguments {
    var amqp = "", database = ""
    var rate = 500.0, seconds = 20.0, backlog = 5000, workers = 4, batch = 4
    var acks = true

    init() {
        var list = Array(CommandLine.arguments.dropFirst())
        while !list.isEmpty {
            let name = list.removeFirst()
            guard let value = list.first else { fatalError("\(name) needs a value") }
            list.removeFirst()
            switch name {
            case "--amqp": amqp = value
            case "--database": database = value
            case "--rate": rate = Double(value)!
            case "--seconds": seconds = Double(value)!
            case "--backlog": backlog = Int(value)!
            case "--workers": workers = Int(value)!
            case "--batch": batch = Int(value)!
            case "--acks": acks = value != "off"
            default: fatalError("unknown argument \(name)")
            }
        }
        guard !amqp.isEmpty, !database.isEmpty else { fatalError("--amqp and --database are required") }
    }
}

/// The real ESM client, timing when each call returned.
final class TimedSender: ESMCommandSending, ESMClientProvider, Sendable {
    let inner: ESMClient
    let returned = Mutex<[String: ContinuousClock.Instant]>([:])
    /// Time spent inside ESM calls (count, total seconds), to tell the HTTP share from the rest.
    let calls = Mutex<(count: Int, seconds: Double)>((0, 0))

    init(_ inner: ESMClient) { self.inner = inner }

    func client(for organizationID: UUID) throws -> any ESMCommandSending { self }

    var callDeadline: Duration { inner.callDeadline }

    func sendCommand(_ request: ESMCommandRequest) -> ESMCommandOutcome {
        let before = ContinuousClock.now
        let outcome = inner.sendCommand(request)
        let now = ContinuousClock.now
        calls.withLock { $0 = ($0.count + 1, $0.seconds + milliseconds(now - before) / 1000) }
        if outcome == .accepted { returned.withLock { $0[request.messageID] = now } }
        return outcome
    }

    var count: Int { returned.withLock { $0.count } }
}

func percentile(_ sorted: [Double], _ p: Double) -> Double {
    guard !sorted.isEmpty else { return .nan }
    return sorted[min(sorted.count - 1, Int((p * Double(sorted.count)).rounded(.up)) - 1)]
}

func milliseconds(_ d: Duration) -> Double { Double(d.components.seconds) * 1000 + Double(d.components.attoseconds) / 1e15 }

/// Resident memory of this process (relay, simulator and the bench's own records), MiB.
func residentMiB() -> Double { (ProcessMetrics.read()?.residentBytes ?? 0) / 1_048_576 }

/// Whether `condition` became true within `timeout`.
func holds(within timeout: Duration, _ condition: () -> Bool) -> Bool {
    let deadline = ContinuousClock.now + timeout
    while !condition() {
        guard ContinuousClock.now < deadline else { return false }
        Thread.sleep(forTimeInterval: 0.002)
    }
    return true
}

func wait(_ what: String, timeout: Duration = .seconds(300), _ condition: () -> Bool) {
    guard holds(within: timeout, condition) else { fatalError("timed out waiting until \(what)") }
}

let args = Arguments()
let database = try PostgresConnection(url: args.database)
let prefix = "rb-" + UUID().uuidString.prefix(6).lowercased()
let organization = try database.query("INSERT INTO organizations (slug, name) VALUES ($1, 'relay bench') RETURNING id",
                                      [.text(prefix)]).singleRow()!.uuid("id")
let plant = try database.query("INSERT INTO plants (organization_id, name, esm_plant_id) VALUES ($1, 'bench', $2) RETURNING id",
                               [.uuid(organization), .text(ESMSimulator.plantID(number: 1))]).singleRow()!.uuid("id")
let queues = RelayQueues(prefix: prefix)
let setup = try AMQPConnection(url: AMQPURL(args.amqp))
try queues.declare(exchange: "trading", on: setup.openChannel())

var simulatorOptions = ESMSimulatorOptions()
simulatorOptions.amqpURL = args.acks ? args.amqp : nil  // the ESM's acks flow back as in production
simulatorOptions.queuePrefix = prefix
let simulator = try ESMSimulator(options: simulatorOptions)
let port = try simulator.start()
let client = try ESMClient(
    configuration: ESMClientConfiguration(baseURL: simulator.baseURL, clientID: simulatorOptions.clientID,
                                          clientSecret: simulatorOptions.clientSecret, maxAttempts: 1,
                                          maxConcurrentCalls: max(6, args.workers)),
    urlGuard: OutboundURLGuard(allowList: [try AllowedEndpoint(host: "127.0.0.1", port: port)]))
let sender = TimedSender(client)

var options = RelayOptions()
options.relayWorkers = args.workers
options.relayBatch = args.batch
if let poll = ProcessInfo.processInfo.environment["RELAY_POLL_MS"].flatMap(Int.init) { options.pollInterval = .milliseconds(poll) }
let service = RelayService(amqpURL: try AMQPURL(args.amqp), databaseURL: args.database, organizations: [organization: prefix],
                               esmClients: sender, options: options)

let publishConnection = try AMQPConnection(url: AMQPURL(args.amqp), options: .init(connectionName: "relay-bench publisher"))
let publishChannel = try publishConnection.openChannel()
try publishChannel.enableConfirms()
func body(_ id: String, _ index: Int) -> [UInt8] {
    Array(#"{"messageId":"\#(id)","correlationId":"\#(id)","plantId":"\#(plant.uuidString.lowercased())","commandType":"SITE_SETPOINT","payload":{"activePowerKw":\#(index % 500)}}"#.utf8)
}

// Phase 1: steady rate.
service.start()
Thread.sleep(forTimeInterval: 1)  // consumers connected, token fetched on the first call below
let warmID = "warm-\(prefix)"
try publishChannel.publish(exchange: "", routingKey: queues.commands, body: body(warmID, 0), properties: .json())
try publishChannel.waitForConfirms()
wait("the warm-up command is relayed") { sender.count == 1 }
let residentAfterWarmUp = residentMiB()

let total = Int(args.rate * args.seconds)
var published: [String: ContinuousClock.Instant] = [:]
published.reserveCapacity(total)
let interval = Duration.nanoseconds(Int64(1e9 / args.rate))
let start = ContinuousClock.now
for index in 0..<total {
    let due = start + interval * index
    let now = ContinuousClock.now
    if due > now { Thread.sleep(forTimeInterval: milliseconds(due - now) / 1000) }
    let id = "steady-\(index)-\(prefix)"
    published[id] = ContinuousClock.now
    try publishChannel.publish(exchange: "", routingKey: queues.commands, body: body(id, index), properties: .json())
    if index % 50 == 49 { try publishChannel.waitForConfirms() }
}
try publishChannel.waitForConfirms()
let publishSeconds = milliseconds(ContinuousClock.now - start) / 1000
// A command still unrelayed a minute after the last publish counts as slower than every other.
let drained = holds(within: .seconds(60)) { sender.count == total + 1 }
let returned = sender.returned.withLock { $0 }
let latencies = published.map { id, sent in returned[id].map { milliseconds($0 - sent) } ?? .infinity }.sorted()
if !drained {
    print("steady: a queue formed: \(returned.count - 1) of \(total) commands relayed 60 s after the last publish (the rest count as infinite below)")
}
print(String(format: "steady: %d commands at %.0f/s offered (%.0f/s achieved publishing); command-in to ESM 202: p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.2f ms",
             total, args.rate, Double(total) / publishSeconds, percentile(latencies, 0.5), percentile(latencies, 0.9),
             percentile(latencies, 0.99), latencies.last ?? .nan))
// A queue forming shows as latency growing through the run: p99 of each 10 s of publishing.
let windows = Dictionary(grouping: published) { Int(milliseconds($0.value - start) / 10_000) }
let windowP99 = windows.keys.sorted().map { window in
    String(format: "%.1f", percentile(windows[window]!.map { id, sent in returned[id].map { milliseconds($0 - sent) } ?? .infinity }.sorted(), 0.99))
}
print("steady: p99 of each 10 s, in order (ms): " + windowP99.joined(separator: ", "))
let residentAfterSteady = residentMiB()
let relayMetrics = service.metrics.snapshot()
print(String(format: "steady: relay latency by the database clock (recorded -> 202): mean %.2f ms over %d",
             relayMetrics.relayLatency.sum / Double(max(relayMetrics.relayLatency.count, 1)) * 1000, relayMetrics.relayLatency.count))
service.stop(grace: .seconds(30))

// Phase 2: a backlog, relayed as fast as the relay goes (only from an empty queue: what the
// steady part left would be counted with it).
if drained {
    let before = sender.count
    for index in 0..<args.backlog {
        try publishChannel.publish(exchange: "", routingKey: queues.commands, body: body("backlog-\(index)-\(prefix)", index),
                                   properties: .json())
    }
    try publishChannel.waitForConfirms()
    let backlogService = RelayService(amqpURL: try AMQPURL(args.amqp), databaseURL: args.database, organizations: [organization: prefix],
                                          esmClients: sender, options: options)
    let backlogStart = ContinuousClock.now
    backlogService.start()
    wait("the backlog is relayed") { sender.count == before + args.backlog }
    let backlogSeconds = milliseconds(ContinuousClock.now - backlogStart) / 1000
    print(String(format: "backlog: %d commands recorded and relayed in %.2f s: %.0f commands/s",
                 args.backlog, backlogSeconds, Double(args.backlog) / backlogSeconds))
    backlogService.stop(grace: .seconds(30))
} else {
    print("backlog: not measured (the steady part left a queue)")
}
let callTotals = sender.calls.withLock { $0 }
print(String(format: "ESM calls: %d, mean %.2f ms each (HTTP to the simulator, token cached)", callTotals.count,
             callTotals.seconds / Double(max(callTotals.count, 1)) * 1000))
let executions = simulator.commands.values
print(String(format: "memory (VmRSS of this process: relay, simulator, the bench's records): %.1f MiB after the warm-up, %.1f MiB after the steady part, %.1f MiB at the end",
             residentAfterWarmUp, residentAfterSteady, residentMiB()))
print("simulator: \(executions.count) commands, each executed once: \(executions.allSatisfy { $0.executed == 1 && $0.received == 1 })")
simulator.stop()
// On a connection of its own: the broker may have closed `setup`, idle since the start.
let cleanupConnection = try AMQPConnection(url: AMQPURL(args.amqp), options: .init(connectionName: "relay-bench cleanup"))
let cleanup = try cleanupConnection.openChannel()
for queue in [queues.commands, queues.commandsDeadLetter, queues.acks, queues.acksDeadLetter, queues.events] {
    do { _ = try cleanup.deleteQueue(queue) } catch { print("could not delete queue \(queue): \(error)") }
}
