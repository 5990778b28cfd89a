import Foundation
import Glibc
import Testing
@testable import Tradingd

/// The sd_notify datagrams, received on a real Unix datagram socket as systemd would.
@Suite struct SystemdNotifierTests {
    @Test func sendsReadyWatchdogAndStoppingToTheNotifySocket() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("notify-\(UUID().uuidString.prefix(8))").path
        let receiver = try DatagramReceiver(path: path)
        defer { receiver.close() }
        let notifier = SystemdNotifier(environment: ["NOTIFY_SOCKET": path, "WATCHDOG_USEC": "4000000",
                                                     "WATCHDOG_PID": String(getpid())])
        #expect(notifier.isActive)
        #expect(notifier.watchdogInterval == .seconds(2))
        notifier.ready()
        notifier.watchdog()
        notifier.stopping()
        #expect(try receiver.receive() == "READY=1\nSTATUS=serving")
        #expect(try receiver.receive() == "WATCHDOG=1")
        #expect(try receiver.receive() == "STOPPING=1")
    }

    @Test func doesNothingOutsideSystemd() {
        let notifier = SystemdNotifier(environment: [:])
        #expect(!notifier.isActive)
        #expect(notifier.watchdogInterval == nil)
        notifier.ready()
    }

    @Test func ignoresAWatchdogMeantForAnotherProcess() {
        let notifier = SystemdNotifier(environment: ["NOTIFY_SOCKET": "/run/x", "WATCHDOG_USEC": "1000000", "WATCHDOG_PID": "1"])
        #expect(notifier.watchdogInterval == nil)
    }
}

/// A bound AF_UNIX datagram socket with a receive timeout.
struct DatagramReceiver {
    let descriptor: Int32
    let path: String

    struct Failure: Error {}

    init(path: String) throws {
        self.path = path
        descriptor = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        guard descriptor >= 0 else { throw Failure() }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (index, byte) in path.utf8.enumerated() { raw[index] = byte }
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard bound == 0 else { throw Failure() }
        var timeout = timeval(tv_sec: 2, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    func receive() throws -> String {
        var buffer = [UInt8](repeating: 0, count: 512)
        let count = recv(descriptor, &buffer, buffer.count, 0)
        guard count > 0 else { throw Failure() }
        return String(decoding: buffer[..<count], as: UTF8.self)
    }

    /// Like `receive()`, but waits at most `seconds` (the timeout stays for later calls).
    func receive(timeout seconds: Double) throws -> String {
        var timeout = timeval(tv_sec: Int(seconds), tv_usec: Int((seconds - seconds.rounded(.down)) * 1e6))
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        return try receive()
    }

    func close() {
        Glibc.close(descriptor)
        unlink(path)
    }
}
