import Foundation
import OutboundHTTP
import Postgres
import Synchronization

// purchases-bench: (1) 96-row submissions at N connections for a while (req/s, p50, p99);
// (2) one 35,136-row submission, repeated; (3) the same 35,136 rows written by COPY straight into
// purchase_rows (with their purchase row, in one transaction) from this process: the database's
// limit. Run by bench/purchases/run.sh against a release tradingd.

struct Arguments {
    var url = "http://127.0.0.1:8080"
    var token = ""
    var database = ""
    var seconds = 20
    var connections = 16
    var repeats = 5

    init() {
        var list = CommandLine.arguments.dropFirst()
        while let flag = list.popFirst(), let value = list.popFirst() {
            switch flag {
            case "--url": url = value
            case "--token": token = value
            case "--database": database = value
            case "--seconds": seconds = Int(value) ?? seconds
            case "--connections": connections = Int(value) ?? connections
            case "--repeats": repeats = Int(value) ?? repeats
            default: fatalError("unknown option \(flag)")
            }
        }
    }
}

/// `count` quarter-hours of Madrid local time from 2024-01-01 00:00 (23:00Z the day before).
func schedule(rows count: Int, offset: Int = 0) -> (body: [UInt8], rows: [(start: Date, label: String, mw: String)]) {
    let formatter = DateFormatter()
    formatter.locale = Locale(identifier: "en_US_POSIX")
    formatter.timeZone = TimeZone(identifier: "Europe/Madrid")
    formatter.dateFormat = "yyyy-MM-dd HH:mm"
    var rows: [(Date, String, String)] = []
    var body = "{\"purchase\":["
    for index in 0..<count {
        let start = Date(timeIntervalSince1970: TimeInterval(1_704_063_600 + (index + offset) * 900))
        let label = formatter.string(from: start), mw = "\(index % 5000).\(String(format: "%03d", index % 1000))"
        rows.append((start, label, mw))
        body += (index > 0 ? "," : "") + "{\"datetime\":\"\(label)\",\"purchase\":\(mw)}"
    }
    return (Array((body + "]}").utf8), rows)
}

func percentile(_ sorted: [Double], _ p: Double) -> Double {
    guard !sorted.isEmpty else { return .nan }
    return sorted[min(sorted.count - 1, Int((Double(sorted.count - 1) * p).rounded()))]
}

func milliseconds(_ seconds: Double) -> String { String(format: "%.1f ms", seconds * 1000) }

let arguments = Arguments()
guard let base = URL(string: arguments.url), let host = base.host, let port = base.port else { fatalError("--url http://host:port") }
/// Posts submissions for the seed's user and retailer; safe from many threads (the client is).
struct Submitter: Sendable {
    let client: OutboundHTTPClient
    let host: String
    let port: Int
    let token: String

    func submit(_ body: [UInt8]) throws -> Int {
        let request = HTTPClientRequest(method: "POST", scheme: "http", host: host, port: port,
                                        path: "/api/v0/user/trebolenergia/submit-purchase/123",
                                        headers: [(name: "Authorization", value: "Bearer \(token)"),
                                                  (name: "Content-Type", value: "application/json")], body: body)
        return try client.send(request, timeouts: .init(connect: .seconds(5), request: .seconds(120))).status
    }
}

let submitter = Submitter(client: OutboundHTTPClient(urlGuard: try OutboundURLGuard(privateAllowList: "\(host):\(port)"),
                                                     maxResponseBytes: 1 << 20, maxIdlePerEndpoint: arguments.connections),
                          host: host, port: port, token: arguments.token)

/// What the load threads share (a class: the threads' closures escape).
final class LoadTally: Sendable {
    let latencies = Mutex<[Double]>([])
    let failures = Atomic<Int>(0)
}

/// Each of `connections` threads submits `body` until `seconds` are over.
/// - Returns: every request's latency in seconds, the failures and the elapsed time.
func load(_ submitter: Submitter, body: [UInt8], connections: Int, seconds: Int) -> (latencies: [Double], failures: Int, elapsed: Double) {
    let tally = LoadTally()
    let deadline = Date().addingTimeInterval(TimeInterval(seconds))
    let started = Date()
    // One thread per connection: DispatchQueue.concurrentPerform would run only as many at once
    // as there are cores.
    let done = DispatchGroup()
    for _ in 0..<connections {
        done.enter()
        Thread {
            var mine: [Double] = []
            while Date() < deadline {
                let begin = DispatchTime.now().uptimeNanoseconds
                let status = (try? submitter.submit(body)) ?? 0
                if status != 201 { tally.failures.add(1, ordering: .relaxed) }
                mine.append(Double(DispatchTime.now().uptimeNanoseconds - begin) / 1e9)
            }
            tally.latencies.withLock { $0 += mine }
            done.leave()
        }.start()
    }
    done.wait()
    return (tally.latencies.withLock { $0 }, tally.failures.load(ordering: .relaxed), Date().timeIntervalSince(started))
}

// (1) 96-row submissions at N connections.
let smallRun = load(submitter, body: schedule(rows: 96).body, connections: arguments.connections, seconds: arguments.seconds)
let sorted = smallRun.latencies.sorted()
print("96-row submissions, \(arguments.connections) connections, \(arguments.seconds) s: \(sorted.count) requests, "
      + String(format: "%.0f req/s", Double(sorted.count) / smallRun.elapsed)
      + ", p50 \(milliseconds(percentile(sorted, 0.5))), p99 \(milliseconds(percentile(sorted, 0.99))), failures \(smallRun.failures)")

// (2) one 35,136-row submission, and (3) COPY of the same rows, alternating.
let large = schedule(rows: 35_136)
let database = try PostgresConnection(url: arguments.database)
let ids = try database.query("""
    SELECT r.organization_id, r.id, u.id FROM retailers r JOIN users u ON u.organization_id = r.organization_id
    WHERE r.external_id = '123' AND u.username = 'trebolenergia'
    """)[0]
let (organization, retailer, user) = (try ids.uuid(0), try ids.uuid(1), try ids.uuid(2))
var submitTimes: [Double] = [], copyTimes: [Double] = []
for _ in 0..<arguments.repeats {
    var begin = DispatchTime.now().uptimeNanoseconds
    let status = try submitter.submit(large.body)
    submitTimes.append(Double(DispatchTime.now().uptimeNanoseconds - begin) / 1e9)
    guard status == 201 else { fatalError("the large submission answered \(status)") }

    begin = DispatchTime.now().uptimeNanoseconds
    try database.transaction { connection in
        let id = try connection.query("""
            INSERT INTO purchases (organization_id, retailer_id, user_id, username, row_count, first_period_start, last_period_start)
            VALUES ($1, $2, $3, 'trebolenergia', $4, $5, $6) RETURNING id
            """, [.uuid(organization), .uuid(retailer), .uuid(user), .int(Int64(large.rows.count)), .timestamptz(large.rows.first!.start),
                  .timestamptz(large.rows.last!.start)])[0].uuid(0)
        try connection.copyFrom("COPY purchase_rows (purchase_id, period_start, label, occurrence, mw) FROM STDIN",
                                rows: large.rows.lazy.map { row -> [PostgresValue] in
                                    [.uuid(id), .timestamptz(row.start), .text(row.label), .int(1), .text(row.mw)]
                                })
    }
    copyTimes.append(Double(DispatchTime.now().uptimeNanoseconds - begin) / 1e9)
}
let submitMedian = percentile(submitTimes.sorted(), 0.5), copyMedian = percentile(copyTimes.sorted(), 0.5)
print("35,136-row submission over HTTP (\(large.body.count) bytes): median \(milliseconds(submitMedian)) of \(arguments.repeats) "
      + "(\(submitTimes.sorted().map { milliseconds($0) }.joined(separator: ", ")))")
print("the same rows by COPY in one transaction: median \(milliseconds(copyMedian)) "
      + "(\(copyTimes.sorted().map { milliseconds($0) }.joined(separator: ", ")))")
print(String(format: "ratio submission / COPY: %.2f (target <= 2)", submitMedian / copyMedian))
