// A minimal server for bench/http: /healthz on the event loop, a JSON endpoint on the worker pool.
import Foundation
import HTTPServer

struct Telemetry: Encodable {
    let plantId: String
    let powerKw: Double
    let stateOfCharge: Int
    let samples: [Int]
}

let arguments = CommandLine.arguments
let address = arguments.count > 1 ? arguments[1] : "127.0.0.1:8089"
guard let (host, port) = HTTPServerConfiguration.parseAddress(address) else {
    FileHandle.standardError.write(Data("usage: httpserver-bench HOST:PORT\n".utf8))
    exit(2)
}

var router = Router()
router.get("/healthz", execution: .eventLoop) { _ in .text("ok") }
router.get("/api/v1/plants/{plantId}/telemetry") { request in
    try Response.json(Telemetry(plantId: try request.pathParameter("plantId"), powerKw: 12.5,
                                stateOfCharge: 80, samples: [1, 2, 3, 4, 5, 6, 7, 8]))
}

var limits = ServerLimits()
limits.maxConnections = 10_000
// HTTP_BENCH_WORKERS: worker threads (default 16, as the daemon).
let workers = Int(ProcessInfo.processInfo.environment["HTTP_BENCH_WORKERS"] ?? "") ?? 16
let server = HTTPServer(configuration: HTTPServerConfiguration(host: host, port: port, workerCount: workers, limits: limits), router: router)
do {
    let bound = try server.start()
    print("listening on \(host):\(bound)")
} catch {
    FileHandle.standardError.write(Data("\(error)\n".utf8))
    exit(1)
}
signal(SIGTERM, SIG_IGN)
signal(SIGINT, SIG_IGN)
let signals = [SIGTERM, SIGINT].map { DispatchSource.makeSignalSource(signal: $0, queue: .main) }
for source in signals {
    source.setEventHandler {
        server.stop(grace: .seconds(2))
        exit(0)
    }
    source.resume()
}
dispatchMain()
