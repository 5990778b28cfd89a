import Dispatch
import Synchronization

/// Idle keep-alive connections by endpoint (`scheme://host:port`), handed out only when their
/// peer address is among those the URL guard has just checked again.
final class OutboundConnectionPool: Sendable {
    private let idle = Mutex<[String: [IdleConnection]]>([:])
    private let maxIdlePerEndpoint: Int
    /// Servers drop idle connections after a while (the HTTPServer target after 60 s); older ones
    /// are not worth the race.
    private let maxIdleNanoseconds: UInt64 = 20_000_000_000

    init(maxIdlePerEndpoint: Int) {
        self.maxIdlePerEndpoint = maxIdlePerEndpoint
    }

    /// The most recently parked usable connection to `key` whose address is in `allowed`; stale or
    /// disallowed ones met on the way are closed.
    func take(key: String, allowed: [IPAddress]) -> (any OutboundStream)? {
        while true {
            let candidate: IdleConnection? = idle.withLock { pool in
                guard var list = pool[key], !list.isEmpty else { return nil }
                let entry = list.removeLast()
                pool[key] = list
                return entry
            }
            guard let candidate else { return nil }
            let fresh = DispatchTime.now().uptimeNanoseconds - candidate.idleSince < maxIdleNanoseconds
            if fresh && allowed.contains(candidate.stream.address) && candidate.stream.isIdleAndOpen { return candidate.stream }
            candidate.stream.close()
        }
    }

    func put(_ stream: any OutboundStream, key: String) {
        let entry = IdleConnection(stream: stream)
        let overflow: IdleConnection? = idle.withLock { pool in
            var list = pool[key] ?? []
            list.append(entry)
            let dropped = list.count > maxIdlePerEndpoint ? list.removeFirst() : nil
            pool[key] = list
            return dropped
        }
        overflow?.stream.close()
    }

    func closeAll() {
        let all = idle.withLock { pool in
            defer { pool.removeAll() }
            return pool.values.flatMap { $0 }
        }
        for entry in all { entry.stream.close() }
    }
}

/// Hands a connection between threads through the pool; only one thread holds it at a time
/// (taken out under the lock, used, put back under the lock), hence `@unchecked Sendable`.
private struct IdleConnection: @unchecked Sendable {
    let stream: any OutboundStream
    var idleSince = DispatchTime.now().uptimeNanoseconds
}
