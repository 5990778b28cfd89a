import Foundation
import HTTPServer
import Observability
import VendSimulator

// vend-sim: the vending provider simulator as a process (PrepaidPlus' electricity protocol).
// Prints `port=<n>` on stdout when listening, then runs until SIGINT or SIGTERM.

let usage = """
    usage: vend-sim [--port N] [--host ADDR] [--api-key KEY] [--password P] [--latency-ms N]
                    [--failure-rate F] [--fail-after-sale-rate F] [--timeout-after-sale-rate F]
                    [--timeout-without-sale-rate F] [--hang-ms N] [--key-change-rate F]
                    [--advice-failure-rate F] [--meter NUMBER=CUSTOMER NAME]... [--sandbox-only]
    The password may also come from VEND_SIM_PASSWORD (kept out of the process list).
    --meter adds a meter that sells (its number need not pass the Luhn check, like the seed's
    demo meter); --sandbox-only refuses meters other than PrepaidPlus' sandbox ones and --meter.
    """

let process = SimulatorProcess(name: "vend-sim", usage: usage)
func fail(_ message: String) -> Never { process.fail(message) }

var options = VendSimulatorOptions()
if let password = ProcessInfo.processInfo.environment["VEND_SIM_PASSWORD"], !password.isEmpty { options.password = password }
var arguments = CommandLine.arguments.dropFirst()
while let flag = arguments.popFirst() {
    switch flag {
    case "--help", "-h":
        print(usage)
        exit(0)
    case "--sandbox-only":
        options.sellsToAnyValidMeter = false
        continue
    default:
        break
    }
    guard let value = arguments.popFirst() else { fail("\(flag) needs a value") }
    func number<T: LosslessStringConvertible>(_: T.Type) -> T { process.number(value, for: flag) }
    func rate() -> Double {
        let parsed = number(Double.self)
        guard (0...1).contains(parsed) else { fail("\(flag) takes a share within 0...1") }
        return parsed
    }
    switch flag {
    case "--port": options.port = number(Int.self)
    case "--host": options.host = value
    case "--api-key": options.apiKey = value
    case "--password": options.password = value
    case "--latency-ms": options.knobs.latencyMs = number(Int.self)
    case "--failure-rate": options.knobs.failureRate = rate()
    case "--fail-after-sale-rate": options.knobs.failAfterSaleRate = rate()
    case "--timeout-after-sale-rate": options.knobs.timeoutAfterSaleRate = rate()
    case "--timeout-without-sale-rate": options.knobs.timeoutWithoutSaleRate = rate()
    case "--hang-ms": options.knobs.hangMs = number(Int.self)
    case "--key-change-rate": options.knobs.keyChangeRate = rate()
    case "--advice-failure-rate": options.knobs.adviceFailureRate = rate()
    case "--meter":
        let parts = value.split(separator: "=", maxSplits: 1).map(String.init)
        guard parts.count == 2, [11, 13].contains(parts[0].count), parts[0].allSatisfy(\.isASCII), Int(parts[0]) != nil else {
            fail("--meter takes NUMBER=CUSTOMER NAME with an 11 or 13 digit number")
        }
        options.meters[parts[0]] = SimulatedMeter(customerName: parts[1], accountNumber: "ACC" + parts[0].prefix(7))
    default: fail("unknown option \(flag)")
    }
}
guard (0...65535).contains(options.port) else { fail("--port takes 0-65535") }

let logger = Logger(level: .info, metadata: ["service": "vend-sim"])
let simulator = VendSimulator(options: options, logger: logger)
process.announce(start: simulator.start)

process.runUntilTerminated(stop: simulator.stop)
