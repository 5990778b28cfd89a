import Foundation
import Glibc
import HTTPServer
import Observability
import Synchronization
import Testing
@testable import Tradingd

/// The watchdog pings only while the event loop turns (docs/RELIABILITY.md, item 16): a real
/// listener whose only loop is wedged by a handler running on it, and a real notify socket.
@Suite struct WatchdogTests {
    @Test func noPingWhileTheEventLoopIsWedgedAndPingsAgainOnceItTurns() throws {
        let release = DispatchSemaphore(value: 0)
        var router = Router()
        router.get("/wedge", execution: .eventLoop) { _ in
            release.wait()   // blocks the loop thread, as a stuck handler or system call would
            return Response.text("done")
        }
        let server = HTTPServer(configuration: HTTPServerConfiguration(host: "127.0.0.1", port: 0, eventLoopCount: 1, workerCount: 2),
                                router: router)
        let port = try server.start()
        defer { server.stop(grace: .seconds(1)) }
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("wd-\(UUID().uuidString.prefix(8))").path
        let receiver = try DatagramReceiver(path: path)
        defer { receiver.close() }
        let notifier = SystemdNotifier(environment: ["NOTIFY_SOCKET": path, "WATCHDOG_USEC": "400000"])
        let watchdog = Watchdog(notifier: notifier, server: server, interval: .milliseconds(200), logger: .silent)

        #expect(watchdog.tick())
        #expect(try receiver.receive() == "WATCHDOG=1")

        let client = Thread { _ = try? Data(contentsOf: URL(string: "http://127.0.0.1:\(port)/wedge")!) }
        client.start()
        // Wait until the loop is inside the handler: its probe then goes unanswered.
        let deadline = ContinuousClock.now + .seconds(10)
        while server.loopsAreTurning(within: .milliseconds(50)), ContinuousClock.now < deadline {}
        #expect(!watchdog.tick())
        #expect(!watchdog.tick())
        #expect(throws: DatagramReceiver.Failure.self) { try receiver.receive(timeout: 0.3) }

        release.signal()
        #expect(watchdog.tick())
        #expect(try receiver.receive() == "WATCHDOG=1")
    }
}
