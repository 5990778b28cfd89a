import ESM
import Foundation

// outbound-bench: latency and client CPU of sequential partner calls (docs/BENCHMARKS.md).
//   --mode esm: ESMClient.listPlants() against a running esm-sim (plain HTTP, keep-alive,
//               token cached), the daemon's own call path.
//   --mode tls: a fresh TLS connection per request (handshake + GET + answer) with the outbound
//               client against a TLS server, trusting --ca-file.
// Prints one line: calls, p50, p90, p99, mean (µs) and the client's CPU per call (µs, getrusage).

var mode = "esm", url = "", calls = 2000, clientID = "demo-client", secret = "demo-secret", caFile = "", host = ""
var arguments = CommandLine.arguments.dropFirst()
while let flag = arguments.popFirst(), let value = arguments.popFirst() {
    switch flag {
    case "--mode": mode = value
    case "--url": url = value
    case "--calls": calls = Int(value) ?? calls
    case "--client-id": clientID = value
    case "--secret": secret = value
    case "--ca-file": caFile = value
    case "--allow": host = value
    default: fatalError("unknown option \(flag)")
    }
}

func cpuMicroseconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * 1e6 + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec)
}

func measure(_ label: String, calls: Int, warmup: Int = 50, _ call: () throws -> Void) rethrows {
    for _ in 0..<warmup { try call() }
    var latencies: [Double] = []
    latencies.reserveCapacity(calls)
    let cpuBefore = cpuMicroseconds()
    for _ in 0..<calls {
        let start = DispatchTime.now().uptimeNanoseconds
        try call()
        latencies.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1000)
    }
    let cpu = (cpuMicroseconds() - cpuBefore) / Double(calls)
    latencies.sort()
    func at(_ q: Double) -> String { String(format: "%.0f", latencies[min(latencies.count - 1, Int(Double(latencies.count) * q))]) }
    let mean = latencies.reduce(0, +) / Double(latencies.count)
    print("\(label)\tcalls=\(calls)\tp50_us=\(at(0.5))\tp90_us=\(at(0.9))\tp99_us=\(at(0.99))\tmean_us=\(String(format: "%.0f", mean))\tcpu_us_per_call=\(String(format: "%.1f", cpu))")
}

let allow = host.isEmpty ? (URLComponents(string: url).map { "\($0.host ?? ""):\($0.port ?? 80)" } ?? "") : host
let urlGuard = try OutboundURLGuard(privateAllowList: allow)
switch mode {
case "esm":
    let client = try ESMClient(configuration: ESMClientConfiguration(baseURL: url, clientID: clientID, clientSecret: secret),
                               urlGuard: urlGuard)
    try measure("esm listPlants", calls: calls) { _ = try client.listPlants() }
case "tls":
    let trust = try OutboundTrust.certificateFile(caFile)
    let validated = try urlGuard.check(url: url)
    let client = OutboundHTTPClient(urlGuard: urlGuard, trust: trust)
    try measure("tls handshake+GET", calls: calls, warmup: 20) {
        let response = try client.send(HTTPClientRequest(method: "GET", url: validated, path: validated.pathAndQuery))
        precondition(response.status == 200)
        client.closeIdleConnections()
    }
default:
    fatalError("--mode esm|tls")
}
