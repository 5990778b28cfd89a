import Dispatch
import Foundation
import Synchronization
import Testing
import TestSupport
@testable import HTTPServer

/// One client's pipelined flood shares its event loop with the other clients.
@Suite(.serialized) struct ServerFairnessTests {
    /// A connection with 1,000 requests buffered and another with one, ready at the same moment
    /// on a single loop: the second is answered after at most a turn of the first
    /// (`16`), not after all 1,000; the first still gets every answer, in order.
    @Test func aPipelinedFloodDoesNotHoldTheLoop() throws {
        let entered = DispatchSemaphore(value: 0)
        let release = DispatchSemaphore(value: 0)
        let counted = Counter()
        var router = Router()
        // Holds the only loop until released, so that both clients' bytes arrive while it waits.
        router.get("/hold", execution: .eventLoop) { _ in
            entered.signal()
            _ = release.wait(timeout: .now() + 10)
            return .text("held")
        }
        router.get("/count", execution: .eventLoop) { _ in .text("\(counted.value.add(1, ordering: .relaxed).newValue)") }
        router.get("/observe", execution: .eventLoop) { _ in .text("\(counted.value.load(ordering: .relaxed))") }
        let server = HTTPServer(configuration: HTTPServerConfiguration(host: "127.0.0.1", port: 0, eventLoopCount: 1,
                                                                       workerCount: 1),
                                router: router)
        let port = try server.start()
        defer { server.stop(grace: .seconds(2)) }

        let holder = try RawClient(port: port)
        let flood = try RawClient(port: port)
        let other = try RawClient(port: port)
        holder.send("GET /hold HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(entered.wait(timeout: .now() + 5) == .success)
        let count = 1000
        flood.send(String(repeating: "GET /count HTTP/1.1\r\nHost: t\r\n\r\n", count: count))
        other.send("GET /observe HTTP/1.1\r\nHost: t\r\n\r\n")
        usleep(200_000)  // both requests in the kernel's buffers before the loop looks again
        release.signal()

        #expect(try holder.readResponse().text == "held")
        let seenByOther = try #require(Int(try other.readResponse().text))
        #expect(seenByOther < count, "the other client waited for the whole flood")
        #expect(seenByOther <= 2 * EventLoop.requestsPerTurn, "the other client waited \(seenByOther) requests")
        for index in 1...count {
            #expect(try flood.readResponse().text == "\(index)")
        }
    }
}

private final class Counter: Sendable {
    let value = Atomic<Int>(0)
}
