import CLinuxEvents
import Glibc

/// One epoll instance plus an eventfd that other threads write to wake it. The corresponding C
/// calls are `epoll_create1`, `epoll_ctl`, `epoll_wait` and `eventfd`; both descriptors are closed
/// by `close()`.
struct Epoll {
    static let readable = UInt32(EPOLLIN.rawValue)
    static let writable = UInt32(EPOLLOUT.rawValue)
    static let exclusive = UInt32(EPOLLEXCLUSIVE.rawValue)
    static let hangup = UInt32(EPOLLHUP.rawValue) | UInt32(EPOLLERR.rawValue)

    let fd: Int32
    let wakeFD: Int32

    init() throws(HTTPServerError) {
        fd = epoll_create1(Int32(EPOLL_CLOEXEC))
        guard fd >= 0 else { throw HTTPServerError(operation: "epoll_create1", errno: errno) }
        wakeFD = eventfd(0, Int32(EFD_NONBLOCK) | Int32(EFD_CLOEXEC))
        guard wakeFD >= 0 else {
            let error = errno
            Glibc.close(fd)
            throw HTTPServerError(operation: "eventfd", errno: error)
        }
        add(wakeFD, events: Self.readable)
    }

    @discardableResult
    func add(_ target: Int32, events: UInt32) -> Bool {
        var event = epoll_event()
        event.events = events
        event.data.fd = target
        return epoll_ctl(fd, EPOLL_CTL_ADD, target, &event) == 0
    }

    func modify(_ target: Int32, events: UInt32) {
        var event = epoll_event()
        event.events = events
        event.data.fd = target
        epoll_ctl(fd, EPOLL_CTL_MOD, target, &event)
    }

    func remove(_ target: Int32) {
        var event = epoll_event()
        epoll_ctl(fd, EPOLL_CTL_DEL, target, &event)
    }

    /// Waits up to `timeoutMilliseconds` and returns how many entries of `events` are filled.
    func wait(into events: UnsafeMutableBufferPointer<epoll_event>, timeoutMilliseconds: Int32) -> Int {
        let count = epoll_wait(fd, events.baseAddress, Int32(events.count), timeoutMilliseconds)
        return max(0, Int(count))
    }

    /// Wakes the thread waiting in `wait` (callable from any thread).
    func wake() {
        var one: UInt64 = 1
        _ = Glibc.write(wakeFD, &one, 8)
    }

    /// Resets the wake counter after a wake-up.
    func drainWake() {
        var value: UInt64 = 0
        _ = Glibc.read(wakeFD, &value, 8)
    }

    func close() {
        Glibc.close(wakeFD)
        Glibc.close(fd)
    }
}
