import ESMSimulator
import Foundation
import HTTPServer
import Observability

// esm-sim: the ESM simulator as a process (DESIGN §7). Prints `port=<n>` on stdout when listening,
// then runs until SIGINT or SIGTERM.

let usage = """
    usage: esm-sim [--port N] [--host ADDR] [--plants N] [--client-id ID] [--client-secret S]
                   [--token-ttl SECONDS] [--latency-ms N] [--failure-rate F]
                   [--amqp-url URL] [--exchange NAME] [--queue-prefix P]
                   [--ack-delay-ms N] [--reject-rate F]
    The secret may also come from ESM_SIM_CLIENT_SECRET (kept out of the process list).
    """

let process = SimulatorProcess(name: "esm-sim", usage: usage)
func fail(_ message: String) -> Never { process.fail(message) }

var options = ESMSimulatorOptions()
if let secret = ProcessInfo.processInfo.environment["ESM_SIM_CLIENT_SECRET"], !secret.isEmpty {
    options.clientSecret = secret
}
var arguments = CommandLine.arguments.dropFirst()
while let flag = arguments.popFirst() {
    if flag == "--help" || flag == "-h" {
        print(usage)
        exit(0)
    }
    guard let value = arguments.popFirst() else { fail("\(flag) needs a value") }
    func number<T: LosslessStringConvertible>(_: T.Type) -> T { process.number(value, for: flag) }
    switch flag {
    case "--port": options.port = number(Int.self)
    case "--host": options.host = value
    case "--plants": options.plantCount = number(Int.self)
    case "--client-id": options.clientID = value
    case "--client-secret": options.clientSecret = value
    case "--token-ttl": options.tokenTTL = .seconds(number(Int.self))
    case "--latency-ms": options.latency = .milliseconds(number(Int.self))
    case "--failure-rate": options.failureRate = number(Double.self)
    case "--amqp-url": options.amqpURL = value
    case "--exchange": options.exchange = value
    case "--queue-prefix": options.queuePrefix = value
    case "--ack-delay-ms": options.ackDelay = .milliseconds(number(Int.self))
    case "--reject-rate": options.rejectRate = number(Double.self)
    default: fail("unknown option \(flag)")
    }
}
guard (0...65535).contains(options.port), options.plantCount >= 1,
      (0...1).contains(options.failureRate), (0...1).contains(options.rejectRate) else {
    fail("--port 0-65535, --plants >= 1, rates within 0...1")
}

let logger = Logger(level: .info, metadata: ["service": "esm-sim"])
let simulator: ESMSimulator
do {
    simulator = try ESMSimulator(options: options, logger: logger)
} catch {
    process.failed(error)
}
process.announce(start: simulator.start)
if options.amqpURL != nil && options.queuePrefix == nil {
    logger.warning("no --queue-prefix: acknowledgements are published only for plants given a prefix at run time")
}

process.runUntilTerminated(stop: simulator.stop)
