import Foundation

/// What the partner simulators' executables (esm-sim, argo-sim, vend-sim) share around their own
/// flags: usage errors, the `port=<n>` line a caller waits for, and running until SIGINT or SIGTERM.
public struct SimulatorProcess: Sendable {
    public let name: String
    public let usage: String

    public init(name: String, usage: String) {
        self.name = name
        self.usage = usage
    }

    /// A usage error: the message and the usage on stderr, exit status 2.
    public func fail(_ message: String) -> Never {
        FileHandle.standardError.write(Data("\(name): \(message)\n\(usage)\n".utf8))
        exit(2)
    }

    /// `value` as a number for `flag`, or a usage error naming both.
    public func number<T: LosslessStringConvertible>(_ value: String, for flag: String) -> T {
        guard let parsed = T(value) else { fail("\(flag) needs a number, got '\(value)'") }
        return parsed
    }

    /// A simulator that could not be made or started: its error on stderr, exit status 1.
    public func failed(_ error: any Error) -> Never {
        FileHandle.standardError.write(Data("\(name): \(error)\n".utf8))
        exit(1)
    }

    /// Starts the simulator and prints `port=<n>` on stdout, or fails with its error.
    public func announce(start: () throws -> Int) {
        do {
            let port = try start()
            FileHandle.standardOutput.write(Data("port=\(port)\n".utf8))
        } catch {
            failed(error)
        }
    }

    /// Blocks until SIGINT or SIGTERM, then stops the simulator and exits 0.
    public func runUntilTerminated(stop: () -> Void) -> Never {
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
        stop()
        withExtendedLifetime(sources) {}
        exit(0)
    }
}
