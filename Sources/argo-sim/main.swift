import ArgoSimulator
import Foundation
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

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("argo-sim: \(message)\n\(usage)\n".utf8))
    exit(2)
}

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
    func number<T: LosslessStringConvertible>(_: T.Type) -> T {
        guard let parsed = T(value) else { fail("\(flag) needs a number, got '\(value)'") }
        return parsed
    }
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
do {
    let port = try simulator.start()
    FileHandle.standardOutput.write(Data("port=\(port)\n".utf8))
} catch {
    FileHandle.standardError.write(Data("argo-sim: \(error)\n".utf8))
    exit(1)
}

signal(SIGINT, SIG_IGN)
signal(SIGTERM, SIG_IGN)
let stopSignal = DispatchSemaphore(value: 0)
let sources = [SIGINT, SIGTERM].map { number in
    let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
    source.setEventHandler { stopSignal.signal() }
    source.resume()
    return source
}
stopSignal.wait()
simulator.stop()
_ = sources
exit(0)
