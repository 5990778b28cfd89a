import Foundation
import Glibc
import Synchronization

/// The embedded HTTP/1.1 listener: epoll event loops accept and parse, a bounded worker pool runs
/// handlers, every limit of `ServerLimits` applies. Start it once, stop it once.
public final class HTTPServer: Sendable {
    private struct Running {
        var listener: Int32
        var port: Int
        var loops: [EventLoop]
    }

    private let core: ServerCore
    private let state = Mutex<Running?>(nil)
    /// Tasks waiting in `run` for the server to have stopped.
    private let stopWaiters = Mutex<(stopped: Bool, waiters: [CheckedContinuation<Void, Never>])>((false, []))

    public init(configuration: HTTPServerConfiguration, router: Router, hooks: HTTPServerHooks = HTTPServerHooks()) {
        core = ServerCore(configuration: configuration, router: router, hooks: hooks)
    }

    /// Binds the address and starts the loops. Returns the bound port (useful with port 0); a
    /// second call while running only returns it.
    @discardableResult
    public func start() throws(HTTPServerError) -> Int {
        if let port { return port }
        let configuration = core.configuration
        let listener = try Socket.listen(host: configuration.host, port: configuration.port)
        var loops: [EventLoop] = []
        do {
            for index in 0..<configuration.eventLoopCount {
                loops.append(try EventLoop(index: index, core: core))
            }
        } catch {
            Glibc.close(listener)
            throw error
        }
        let port = Socket.localPort(listener)
        state.withLock { $0 = Running(listener: listener, port: port, loops: loops) }
        for loop in loops { loop.start(listener: listener) }
        return port
    }

    /// The bound port, or nil before `start`.
    public var port: Int? {
        state.withLock { $0?.port }
    }

    /// Request bytes the connections hold now (`ServerLimits.maxBufferedRequestBytes`).
    public var heldRequestBytes: Int { core.heldRequestBytes.load(ordering: .relaxed) }

    /// Client connections currently open (refused ones not counted).
    public var openConnections: Int {
        core.openConnections.load(ordering: .relaxed)
    }

    /// Stops accepting, lets requests in progress finish within `grace` (their responses carry
    /// `Connection: close`; idle connections close at once), then closes everything. Blocks.
    public func stop(grace: Duration = .seconds(10)) {
        guard let running = state.withLock({ current -> Running? in
            defer { current = nil }
            return current
        }) else { return }
        let deadline = SystemInfo.now() + grace.nanoseconds
        let acknowledged = DispatchGroup()
        for loop in running.loops {
            acknowledged.enter()
            loop.post(.drain(acknowledge: { acknowledged.leave() }))
        }
        acknowledged.wait()
        Glibc.close(running.listener)
        while SystemInfo.now() < deadline,
              running.loops.contains(where: { $0.connectionCount.load(ordering: .relaxed) > 0 }) {
            usleep(5_000)
        }
        for loop in running.loops { loop.post(.shutdown) }
        for loop in running.loops { loop.waitUntilFinished() }
        let remaining = deadline > SystemInfo.now() ? deadline - SystemInfo.now() : 0
        core.pool.shutdown(timeout: .nanoseconds(Int64(max(remaining, 100_000_000))))
        let waiters = stopWaiters.withLock { state in
            state.stopped = true
            defer { state.waiters.removeAll() }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Whether every event loop handles a message within `timeout`: each loop is sent a probe it
    /// answers from its own thread, so a loop wedged in a handler or a system call answers
    /// nothing. False when the server is not running. Blocks up to `timeout`.
    public func loopsAreTurning(within timeout: Duration) -> Bool {
        guard let loops = state.withLock({ $0?.loops }), !loops.isEmpty else { return false }
        let answered = DispatchGroup()
        for loop in loops {
            answered.enter()
            loop.post(.run { answered.leave() })
        }
        let seconds = Double(timeout.components.seconds) + Double(timeout.components.attoseconds) / 1e18
        return answered.wait(timeout: .now() + max(seconds, 0)) == .success
    }

    /// Starts the server (unless started), then serves until the calling task is cancelled or
    /// `stop` is called elsewhere; on cancellation stops within `grace`. For a service group.
    public func run(grace: Duration = .seconds(10)) async throws {
        if port == nil && !stopWaiters.withLock({ $0.stopped }) { try start() }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let alreadyStopped = stopWaiters.withLock { state in
                    if !state.stopped { state.waiters.append(continuation) }
                    return state.stopped
                }
                if alreadyStopped { continuation.resume() }
            }
        } onCancel: {
            // `stop` blocks: keep it off the cooperative pool.
            Thread { self.stop(grace: grace) }.start()
        }
    }
}
