import CLinuxEvents
import Dispatch
import Foundation
import Glibc
import Synchronization

/// Messages other threads send to a loop.
enum LoopMessage: Sendable {
    /// A worker finished a request.
    case completed(fd: Int32, connectionID: UInt64, sequence: UInt64, RoutedResponse)
    /// Stop accepting and close idle connections; `acknowledge` runs once the listener is out of
    /// this loop's epoll set.
    case drain(acknowledge: @Sendable () -> Void)
    /// Run a job on the loop's thread (`EventLoopContext.execute`; the watchdog's probe).
    case run(@Sendable () -> Void)
    /// Close everything and leave the thread.
    case shutdown
}

/// Where other threads leave messages for a loop, and the wake-up that tells it. `closed` once
/// the loop has closed its descriptors, after which posts are dropped (a late worker must not
/// write into a descriptor number reused elsewhere).
final class LoopInbox: Sendable {
    private let state = Mutex<(messages: [LoopMessage], closed: Bool)>(([], false))
    private let epoll: Epoll

    init(epoll: Epoll) { self.epoll = epoll }

    func post(_ message: LoopMessage) {
        // Woken under the lock, so that the descriptor cannot be closed in between.
        state.withLock { state in
            guard !state.closed else { return }
            state.messages.append(message)
            if state.messages.count == 1 { epoll.wake() }
        }
    }

    func take() -> [LoopMessage] {
        state.withLock { state in
            defer { state.messages.removeAll(keepingCapacity: true) }
            return state.messages
        }
    }

    /// Drops what is queued, refuses later posts and closes the epoll descriptors.
    func close() {
        state.withLock { state in
            state.closed = true
            state.messages.removeAll()
            epoll.close()
        }
    }
}

/// One event loop thread: an epoll set with its share of the connections (each loop accepts from
/// the shared listener, woken exclusively), their reads, writes and timers. Handlers run on the
/// worker pool and send their responses back through `post`.
final class EventLoop: @unchecked Sendable {
    // Invariant: apart from `inbox`, `context.execute` and `finished`, every property is touched
    // only by the loop's own thread, started by `start`.
    let core: ServerCore
    let epoll: Epoll
    private let index: Int
    private let inbox: LoopInbox
    /// What loop handlers and watchers see of the loop.
    let context: EventLoopContext
    private let finished = DispatchSemaphore(value: 0)
    var connections: [Int32: Connection] = [:]
    private var listener: Int32 = -1
    private var listenerPausedUntil: UInt64?
    var draining = false
    private var running = true
    var date = HTTPDate()
    private var nextConnectionNumber: UInt64 = 0
    /// Connections whose turn ended with requests still buffered: served again after the other
    /// ready connections, so that one client's pipelined flood (hundreds of requests in one read,
    /// each answered on the loop) cannot hold the loop while other clients wait.
    private var deferredInput: [Connection] = []
    static let requestsPerTurn = 16
    private let readBuffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 16)

    static let sweepInterval: UInt64 = 100_000_000

    init(index: Int, core: ServerCore) throws(HTTPServerError) {
        self.index = index
        self.core = core
        epoll = try Epoll()
        let inbox = LoopInbox(epoll: epoll)
        self.inbox = inbox
        context = EventLoopContext(index: index, epoll: epoll, post: { inbox.post($0) })
    }

    deinit {
        readBuffer.deallocate()
    }

    func start(listener: Int32) {
        self.listener = listener
        epoll.add(listener, events: Epoll.readable | Epoll.exclusive)
        let thread = Thread { [self] in
            run()
            finished.signal()
        }
        thread.name = "http-loop-\(index)"
        thread.start()
    }

    /// Sends `message` to the loop from any thread.
    func post(_ message: LoopMessage) {
        inbox.post(message)
    }

    func waitUntilFinished() {
        finished.wait()
    }

    /// The number of connections this loop holds (for graceful stop).
    let connectionCount = Atomic<Int>(0)

    private func run() {
        let events = UnsafeMutableBufferPointer<epoll_event>.allocate(capacity: 256)
        defer { events.deallocate() }
        var lastSweep = SystemInfo.now()
        context.enterThread()
        while running {
            let count = epoll.wait(into: events, timeoutMilliseconds: deferredInput.isEmpty ? 100 : 0)
            let now = SystemInfo.now()
            for slot in 0..<count {
                let fd = events[slot].data.fd
                let flags = events[slot].events
                if fd == epoll.wakeFD {
                    epoll.drainWake()
                    handleMessages(now: now)
                } else if fd == listener {
                    acceptConnections(now: now)
                } else if let connection = connections[fd] {
                    handle(connection, events: flags, now: now)
                } else if let watcher = context.watchers[fd] {
                    watcher.descriptorReady(readable: flags & (Epoll.readable | Epoll.hangup) != 0,
                                            writable: flags & Epoll.writable != 0)
                }
            }
            resumeDeferredInput(now: now)
            context.runEndOfTurn()
            if now &- lastSweep >= Self.sweepInterval {
                // A fresh reading: work finished during this turn (a loop handler's answer) has
                // stamped its connections after the turn's `now`.
                let sweepTime = SystemInfo.now()
                sweep(now: sweepTime)
                lastSweep = sweepTime
            }
        }
        for connection in Array(connections.values) { close(connection) }
        context.close()
        inbox.close()
    }

    private func handleMessages(now: UInt64) {
        for message in inbox.take() {
            switch message {
            case .completed(let fd, let connectionID, let sequence, let routed):
                complete(fd: fd, connectionID: connectionID, sequence: sequence, routed, now: now)
            case .run(let job):
                job()
            case .drain(let acknowledge):
                if listener >= 0 {
                    epoll.remove(listener)
                    listener = -1
                }
                draining = true
                acknowledge()
                closeIdleConnections()
            case .shutdown:
                running = false
            }
        }
    }

    func deferInput(_ connection: Connection) {
        guard !connection.inputDeferred else { return }
        connection.inputDeferred = true
        deferredInput.append(connection)
    }

    /// One more turn for each connection deferred before this round.
    private func resumeDeferredInput(now: UInt64) {
        guard !deferredInput.isEmpty else { return }
        let turn = deferredInput
        deferredInput.removeAll(keepingCapacity: true)
        for connection in turn {
            connection.inputDeferred = false
            guard connections[connection.fd] === connection, case .reading = connection.phase else { continue }
            processInput(connection, now: now)
            flush(connection, now: now)
        }
    }

    // MARK: Accepting

    private func acceptConnections(now: UInt64) {
        for _ in 0..<64 {
            guard let accepted = Socket.accept(listener) else {
                let error = errno
                if error != EAGAIN && error != EWOULDBLOCK && error != EINTR && error != ECONNABORTED {
                    // Out of descriptors: stop listening briefly instead of spinning on the event.
                    epoll.remove(listener)
                    listenerPausedUntil = now + Self.sweepInterval
                }
                return
            }
            nextConnectionNumber += 1
            let id = UInt64(index) << 48 | nextConnectionNumber
            if core.reserveSlot() {
                let connection = Connection(fd: accepted.fd, id: id, remoteAddress: accepted.remote, holdsSlot: true,
                                            limits: core.parserLimits, now: now)
                register(connection)
            } else {
                refuse(fd: accepted.fd, id: id, remote: accepted.remote, now: now)
            }
        }
    }

    private func register(_ connection: Connection) {
        connections[connection.fd] = connection
        connectionCount.add(1, ordering: .relaxed)
        epoll.add(connection.fd, events: connection.interest)
    }

    /// Over the connection limit: answer 503 and close, unless even refusals pile up.
    private func refuse(fd: Int32, id: UInt64, remote: String, now: UInt64) {
        let refusing = core.refusingConnections.add(1, ordering: .relaxed).newValue
        guard refusing <= max(64, core.limits.maxConnections / 8) else {
            core.refusingConnections.subtract(1, ordering: .relaxed)
            Glibc.close(fd)
            return
        }
        let connection = Connection(fd: fd, id: id, remoteAddress: remote, holdsSlot: false,
                                    limits: core.parserLimits, now: now)
        register(connection)
        let error = HTTPError.serviceUnavailable("Too many connections", code: "TOO_MANY_CONNECTIONS")
        respondWithoutRequest(connection, error: error, failure: "connection limit reached", now: now)
        flush(connection, now: now)
    }

    // MARK: Reading and writing

    private func handle(_ connection: Connection, events: UInt32, now: UInt64) {
        if events & (Epoll.readable | Epoll.hangup) != 0 {
            readAvailable(connection, now: now)
        }
        if events & Epoll.writable != 0, connections[connection.fd] === connection {
            flush(connection, now: now)
        }
    }

    private func readAvailable(_ connection: Connection, now: UInt64) {
        let count = Glibc.read(connection.fd, readBuffer.baseAddress, readBuffer.count)
        if count < 0 {
            if errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR { close(connection) }
            return
        }
        if count == 0 {
            peerClosed(connection)
            return
        }
        let bytes = UnsafeRawBufferPointer(rebasing: readBuffer[0..<count])
        switch connection.phase {
        case .reading:
            connection.parser.append(bytes)
            guard holdRequestBytes(connection) else {
                let error = HTTPError.serviceUnavailable("Too many request bytes are being received at once; retry later",
                                                         code: "SERVER_BUSY")
                respondWithoutRequest(connection, error: error, failure: "buffered request bytes limit reached", now: now)
                flush(connection, now: now)
                return
            }
            processInput(connection, now: now)
            flush(connection, now: now)
        case .handling:
            connection.parser.append(bytes)
            if !holdRequestBytes(connection) {
                // A pipelined request behind one being handled: stop reading until there is room.
                connection.readPaused = true
                epoll.modify(connection.fd, events: connection.interest)
                return
            }
            if connection.parser.bufferedByteCount > core.limits.maxHeadBytes + core.limits.maxBodyBytes {
                connection.readPaused = true
                epoll.modify(connection.fd, events: connection.interest)
            }
        case .closing, .lingering:
            connection.discardedBytes += count
            if connection.discardedBytes > 1 << 20 { close(connection) }
        }
    }

    /// The client shut its side: a response being prepared still goes out; otherwise close.
    private func peerClosed(_ connection: Connection) {
        if case .handling = connection.phase {
            connection.peerClosed = true
            connection.readPaused = true
            epoll.modify(connection.fd, events: connection.interest)
        } else if case .closing = connection.phase, connection.hasPendingOutput {
            connection.readPaused = true
            epoll.modify(connection.fd, events: connection.interest)
        } else {
            close(connection)
        }
    }

    /// Writes what the socket takes; waits for `EPOLLOUT` for the rest. After the last response
    /// of a closing connection, shuts the write side and lingers.
    func flush(_ connection: Connection, now: UInt64) {
        while connection.hasPendingOutput {
            let written = connection.output.withUnsafeBytes { all in
                send(connection.fd, all.baseAddress! + connection.outputOffset,
                     all.count - connection.outputOffset, Int32(MSG_NOSIGNAL))
            }
            if written > 0 {
                connection.outputOffset += written
                connection.lastWriteProgress = now
            } else if written < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) {
                if !connection.wantsWrite {
                    connection.wantsWrite = true
                    epoll.modify(connection.fd, events: connection.interest)
                }
                return
            } else if written < 0 && errno == EINTR {
                continue
            } else {
                close(connection)
                return
            }
        }
        if connection.output.capacity > 64 * 1024 {
            connection.output = []
        } else {
            connection.output.removeAll(keepingCapacity: true)
        }
        connection.outputOffset = 0
        if connection.wantsWrite {
            connection.wantsWrite = false
            epoll.modify(connection.fd, events: connection.interest)
        }
        if connection.pausedForOutput, case .reading = connection.phase {
            connection.pausedForOutput = false
            connection.readPaused = false
            epoll.modify(connection.fd, events: connection.interest)
            processInput(connection, now: now)
            if connection.hasPendingOutput { flush(connection, now: now) }
            return
        }
        if case .closing = connection.phase {
            if connection.readPaused {
                close(connection)
                return
            }
            shutdown(connection.fd, Int32(SHUT_WR))
            connection.phase = .lingering(deadline: now + core.limits.lingerTimeout.nanoseconds)
        }
    }

    /// Brings the connection's share of the server-wide request bytes up to date; false when it
    /// grew past the limit (its share then stays as it was).
    @discardableResult
    func holdRequestBytes(_ connection: Connection) -> Bool {
        let wanted = connection.requestBytesToHold
        guard core.rebalanceHeldBytes(from: connection.heldRequestBytes, to: wanted) else { return false }
        connection.heldRequestBytes = wanted
        return true
    }

    func close(_ connection: Connection) {
        guard connections[connection.fd] === connection else { return }
        _ = core.rebalanceHeldBytes(from: connection.heldRequestBytes, to: 0)
        connection.heldRequestBytes = 0
        connections[connection.fd] = nil
        connectionCount.subtract(1, ordering: .relaxed)
        Glibc.close(connection.fd)
        if connection.holdsSlot {
            core.releaseSlot()
        } else {
            core.refusingConnections.subtract(1, ordering: .relaxed)
        }
    }

    // MARK: Timers

    /// Nanoseconds from `start` to `now`; zero when `start` is later (a stamp taken after `now`
    /// was read), never a wrapped-around huge value that would close the connection at once.
    static func elapsed(_ now: UInt64, since start: UInt64) -> UInt64 {
        now >= start ? now - start : 0
    }

    /// Enforces the header, body, idle, handler, write and linger deadlines.
    private func sweep(now: UInt64) {
        if let pausedUntil = listenerPausedUntil, now >= pausedUntil, listener >= 0 {
            listenerPausedUntil = nil
            epoll.add(listener, events: Epoll.readable | Epoll.exclusive)
        }
        let limits = core.limits
        for connection in Array(connections.values) {
            if connection.hasPendingOutput && Self.elapsed(now, since: connection.lastWriteProgress) > limits.writeTimeout.nanoseconds {
                close(connection)
                continue
            }
            switch connection.phase {
            case .reading:
                if connection.parser.isIdle {
                    // A connection that has not yet sent a request gets the header timeout, so
                    // that silent connections cannot hold slots for a whole idle period.
                    let allowed = connection.sequence == 0 ? limits.headerReadTimeout : limits.idleTimeout
                    let idleFor = Self.elapsed(now, since: connection.idleSince)
                    if !connection.hasPendingOutput && (draining || idleFor > allowed.nanoseconds) {
                        close(connection)
                    }
                } else if connection.parser.isReadingHead {
                    if let started = connection.headStartedAt, Self.elapsed(now, since: started) > limits.headerReadTimeout.nanoseconds {
                        requestTimedOut(connection, reason: "header read timeout", now: now)
                    }
                } else if let started = connection.bodyStartedAt, Self.elapsed(now, since: started) > limits.bodyReadTimeout.nanoseconds {
                    requestTimedOut(connection, reason: "body read timeout", now: now)
                }
            case .handling(let inFlight):
                if now > inFlight.deadline { handlerTimedOut(connection, inFlight, now: now) }
            case .closing:
                break
            case .lingering(let deadline):
                if now > deadline { close(connection) }
            }
        }
    }

    private func closeIdleConnections() {
        for connection in Array(connections.values) {
            if case .reading = connection.phase, connection.parser.isIdle, !connection.hasPendingOutput {
                close(connection)
            }
        }
    }
}
