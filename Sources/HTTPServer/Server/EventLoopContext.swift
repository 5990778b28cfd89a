import Glibc

/// Something an event loop watches besides its client connections (a database socket): told on
/// the loop's thread when its descriptor is ready.
public protocol LoopWatcher: AnyObject {
    /// `readable` includes hang-up and error, which a read then reports.
    func descriptorReady(readable: Bool, writable: Bool)
}

/// One event loop as the code running on it sees it (loop handlers, watchers): more descriptors
/// to watch, work to run at the end of the current turn, and state kept per loop.
///
/// `@unchecked Sendable` invariant: `execute` may be called from any thread; every other member
/// only on the loop's own thread (checked), which is also where everything given to it runs.
public final class EventLoopContext: @unchecked Sendable {
    /// The loop's number (0 ..< eventLoopCount).
    public let index: Int
    private let epoll: Epoll
    private let post: @Sendable (LoopMessage) -> Void
    private var thread: pthread_t?
    var watchers: [Int32: any LoopWatcher] = [:]
    private var endOfTurn: [() -> Void] = []
    private var locals: [ObjectIdentifier: AnyObject] = [:]

    init(index: Int, epoll: Epoll, post: @escaping @Sendable (LoopMessage) -> Void) {
        self.index = index
        self.epoll = epoll
        self.post = post
    }

    /// Adds `fd` to the loop's epoll set; `watcher` is told when it is ready.
    public func watch(_ fd: Int32, readable: Bool, writable: Bool, by watcher: any LoopWatcher) {
        checkThread()
        watchers[fd] = watcher
        epoll.add(fd, events: Self.events(readable: readable, writable: writable))
    }

    /// Changes what a watched descriptor is watched for.
    public func changeWatch(_ fd: Int32, readable: Bool, writable: Bool) {
        checkThread()
        epoll.modify(fd, events: Self.events(readable: readable, writable: writable))
    }

    /// Removes `fd` from the epoll set (before it is closed).
    public func unwatch(_ fd: Int32) {
        checkThread()
        guard watchers.removeValue(forKey: fd) != nil else { return }
        epoll.remove(fd)
    }

    /// Runs `job` on the loop once the events of the current turn are handled (to send in one
    /// write what the turn's requests queued).
    public func atEndOfTurn(_ job: @escaping () -> Void) {
        checkThread()
        endOfTurn.append(job)
    }

    /// Runs `job` on the loop's thread soon; callable from any thread.
    public func execute(_ job: @escaping @Sendable () -> Void) {
        post(.run(job))
    }

    /// The loop's own instance of `owner`'s state, made by `make` on first use.
    public func local<Value: AnyObject>(for owner: AnyObject, make: () -> Value) -> Value {
        checkThread()
        let key = ObjectIdentifier(owner)
        if let value = locals[key] as? Value { return value }
        let value = make()
        locals[key] = value
        return value
    }

    // MARK: For the loop

    func enterThread() { thread = pthread_self() }

    func runEndOfTurn() {
        while !endOfTurn.isEmpty {
            let jobs = endOfTurn
            endOfTurn.removeAll(keepingCapacity: true)
            for job in jobs { job() }
        }
    }

    /// Drops the watchers and the per-loop state when the loop stops.
    func close() {
        for fd in watchers.keys { epoll.remove(fd) }
        watchers = [:]
        endOfTurn = []
        locals = [:]
    }

    private func checkThread() {
        precondition(thread.map { pthread_equal($0, pthread_self()) != 0 } ?? false,
                     "EventLoopContext used off its loop's thread")
    }

    private static func events(readable: Bool, writable: Bool) -> UInt32 {
        (readable ? Epoll.readable : 0) | (writable ? Epoll.writable : 0)
    }
}
