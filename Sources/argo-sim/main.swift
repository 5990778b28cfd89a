import ArgoSimulator
import Foundation
import HTTPServer
import Observability

// argo-sim: the Argo Workflows simulator as a process. Prints `port=<n>` on stdout when
// listening, then runs until SIGINT or SIGTERM.

let usage = """
    usage: argo-sim [--port N] [--host ADDR] [--namespace NS]... [--template NAME[:param,param]]...
                    [--pending-ms N] [--running-ms N] [--failure-rate F]
                    [--rate-limit PER_SECOND] [--rate-burst N] [--submit-delay-ms N]
    The bearer token comes from ARGO_SIM_TOKEN (kept out of the process list; default argo-sim-token).
    Defaults: namespace argo, template purchase-schedule:purchaseId.
    """

let process = SimulatorProcess(name: "argo-sim", usage: usage)
func fail(_ message: String) -> Never { process.fail(message) }

var options = ArgoSimulatorOptions()
if let token = ProcessInfo.processInfo.environment["ARGO_SIM_TOKEN"], !token.isEmpty { options.token = token }
var namespaces: [String] = [], templates: [String: [String]] = [:]
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
    case "--namespace": namespaces.append(value)
    case "--template":
        let parts = value.split(separator: ":", maxSplits: 1)
        templates[String(parts[0])] = parts.count > 1 ? parts[1].split(separator: ",").map(String.init) : []
    case "--pending-ms": options.knobs.pendingMilliseconds = number(Int.self)
    case "--running-ms": options.knobs.runningMilliseconds = number(Int.self)
    case "--failure-rate": options.knobs.failureRate = number(Double.self)
    case "--rate-limit": options.knobs.rateLimitPerSecond = number(Double.self)
    case "--rate-burst": options.knobs.rateLimitBurst = number(Int.self)
    case "--submit-delay-ms": options.knobs.submitResponseDelayMilliseconds = number(Int.self)
    default: fail("unknown option \(flag)")
    }
}
if !namespaces.isEmpty { options.namespaces = namespaces }
if !templates.isEmpty { options.templates = templates }
guard (0...65535).contains(options.port), (0...1).contains(options.knobs.failureRate), options.knobs.rateLimitPerSecond >= 0,
      options.knobs.rateLimitBurst >= 1, options.knobs.pendingMilliseconds >= 0, options.knobs.runningMilliseconds >= 0 else {
    fail("--port 0-65535, --failure-rate within 0...1, times and rates not negative, --rate-burst >= 1")
}

let logger = Logger(level: .info, metadata: ["service": "argo-sim"])
let simulator = ArgoSimulator(options: options, logger: logger)
process.announce(start: simulator.start)

process.runUntilTerminated(stop: simulator.stop)
