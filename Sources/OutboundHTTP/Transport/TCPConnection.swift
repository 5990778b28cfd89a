#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
/// One outbound TCP connection to exactly one address (the one the URL guard checked), non-blocking
/// underneath so that every wait is bounded by a deadline. Single owner.
///
/// The corresponding C functions are `socket`, `connect`, `poll`, `send`, `recv` and `close`; the
/// descriptor is closed by `close()` or `deinit`, whichever comes first.
final class TCPConnection: OutboundStream {
    let address: IPAddress
    let port: Int
    private var descriptor: Int32
    private var scratch = [UInt8](repeating: 0, count: 16 * 1024)

    private init(descriptor: Int32, address: IPAddress, port: Int) {
        self.descriptor = descriptor
        self.address = address
        self.port = port
    }

    deinit { close() }

    func close() {
        if descriptor >= 0 { _ = Glibc.close(descriptor) }
        descriptor = -1
    }

    /// Connects to `address:port`, waiting until `deadline` at most.
    static func connect(to address: IPAddress, port: Int, deadline: Deadline) throws(TransportFailure) -> TCPConnection {
        let family = address.family == .v4 ? AF_INET : AF_INET6
        let fd = socket(family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw .refused("socket() failed: \(errnoText())") }
        let connection = TCPConnection(descriptor: fd, address: address, port: port)
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        let result: Int32 = withSocketAddress(address, port: port) { pointer, length in Glibc.connect(fd, pointer, length) }
        if result != 0 {
            guard errno == EINPROGRESS else { throw .refused("connect to \(address.uriHost):\(port) failed: \(errnoText())") }
            guard try connection.wait(for: Int16(POLLOUT), until: deadline) else {
                throw .timedOut("connect to \(address.uriHost):\(port) timed out")
            }
            var socketError: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            getsockopt(fd, SOL_SOCKET, SO_ERROR, &socketError, &length)
            if socketError != 0 {
                throw .refused("connect to \(address.uriHost):\(port) failed: \(String(cString: strerror(socketError)))")
            }
        }
        return connection
    }

    /// A plain TCP end of stream is the peer's (or the network's; TCP cannot tell).
    var endWasAuthenticated: Bool { true }

    /// Nothing readable (no EOF, no stray bytes).
    var isIdleAndOpen: Bool {
        guard descriptor >= 0 else { return false }
        var entry = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        return poll(&entry, 1, 0) == 0
    }

    func writeAll(_ bytes: [UInt8], until deadline: Deadline) throws(TransportFailure) {
        guard descriptor >= 0 else { throw .closed("the connection is closed") }
        var offset = 0
        while offset < bytes.count {
            let sent = bytes.withUnsafeBytes { raw in
                send(descriptor, raw.baseAddress! + offset, raw.count - offset, Int32(MSG_NOSIGNAL))
            }
            if sent > 0 {
                offset += sent
            } else if sent < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) {
                guard try wait(for: Int16(POLLOUT), until: deadline) else { throw .timedOut("sending the request timed out") }
            } else {
                throw .closed("sending the request failed: \(Self.errnoText())")
            }
        }
    }

    func read(into buffer: inout [UInt8], until deadline: Deadline) throws(TransportFailure) -> Bool {
        guard descriptor >= 0 else { throw .closed("the connection is closed") }
        while true {
            let count = scratch.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress!, $0.count, 0) }
            if count > 0 {
                buffer.append(contentsOf: scratch[0..<count])
                return true
            }
            if count == 0 { return false }
            if errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR {
                guard try wait(for: Int16(POLLIN), until: deadline) else { throw .timedOut("waiting for the answer timed out") }
                continue
            }
            throw .closed("reading the answer failed: \(Self.errnoText())")
        }
    }

    /// One send attempt that never waits (a TLS close_notify on the way out); the result is ignored.
    func sendWithoutWaiting(_ bytes: [UInt8]) {
        guard descriptor >= 0, !bytes.isEmpty else { return }
        _ = bytes.withUnsafeBytes { send(descriptor, $0.baseAddress!, $0.count, Int32(MSG_NOSIGNAL) | Int32(MSG_DONTWAIT)) }
    }

    /// Waits until the socket is ready for `events`; false when the deadline passed first.
    private func wait(for events: Int16, until deadline: Deadline) throws(TransportFailure) -> Bool {
        while true {
            let remaining = deadline.remainingMilliseconds
            if remaining == 0 { return false }
            var entry = pollfd(fd: descriptor, events: events, revents: 0)
            let ready = poll(&entry, 1, remaining)
            if ready > 0 { return true }
            if ready < 0 && errno != EINTR { throw .closed("poll failed: \(Self.errnoText())") }
        }
    }

    private static func errnoText() -> String { String(cString: strerror(errno)) }

    private static func withSocketAddress<Result>(_ address: IPAddress, port: Int,
                                                  _ body: (UnsafePointer<sockaddr>, socklen_t) -> Result) -> Result {
        if address.family == .v4 {
            var raw = sockaddr_in()
            raw.sin_family = sa_family_t(AF_INET)
            raw.sin_port = in_port_t(UInt16(port).bigEndian)
            withUnsafeMutableBytes(of: &raw.sin_addr) { $0.copyBytes(from: address.bytes) }
            return withUnsafePointer(to: &raw) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
        }
        var raw = sockaddr_in6()
        raw.sin6_family = sa_family_t(AF_INET6)
        raw.sin6_port = in_port_t(UInt16(port).bigEndian)
        withUnsafeMutableBytes(of: &raw.sin6_addr) { $0.copyBytes(from: address.bytes) }
        return withUnsafePointer(to: &raw) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, socklen_t(MemoryLayout<sockaddr_in6>.size)) }
        }
    }
}
