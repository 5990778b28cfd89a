import Foundation
import Glibc
import TLS

/// A loopback TCP server, plain or TLS, that answers each HTTP request with bytes a test chooses,
/// so that the client meets answers a well-behaved server never sends (chunked bodies, closes,
/// garbage, endless or trickled bodies, compressed bodies, redirects). One thread per connection;
/// requests are read as head + `Content-Length` body.
public final class RawHTTPServer: @unchecked Sendable {
    public struct Answer: Sendable {
        public var bytes: [UInt8]
        /// Close the connection after writing (after `then`, when set).
        public var close: Bool
        /// Runs after `bytes` were sent, with the connection: to stream, trickle or stall.
        public var then: (@Sendable (ServerConnection) -> Void)?

        public init(bytes: [UInt8], close: Bool = false, then: (@Sendable (ServerConnection) -> Void)? = nil) {
            self.bytes = bytes
            self.close = close
            self.then = then
        }
    }

    /// How one connection ended, for tests that check what the client did to it.
    public struct ConnectionReport: Sendable {
        public let bytesSent: Int
        /// The client closed or reset the connection while the server was still sending.
        public let peerClosedWhileSending: Bool
    }

    public typealias Handler = @Sendable (_ head: String, _ body: [UInt8]) -> Answer

    public let port: Int
    private let listener: Int32
    private let handler: Handler
    private let tls: TLSContext?
    private let lock = NSLock()
    private var accepted = 0
    private var failedHandshakes = 0
    private var requests: [String] = []
    private var reports: [ConnectionReport] = []

    /// - Parameter tls: a server context to speak TLS with; `nil` for plain HTTP.
    public init(tls: TLSContext? = nil, handler: @escaping Handler) throws {
        self.handler = handler
        self.tls = tls
        (listener, port) = try Self.listen()
        Thread { [self] in acceptLoop() }.start()
    }

    deinit { shutdown(listener, Int32(SHUT_RDWR)); close(listener) }

    public var connectionCount: Int { lock.withLock { accepted } }
    public var handshakeFailures: Int { lock.withLock { failedHandshakes } }
    public var requestHeads: [String] { lock.withLock { requests } }
    public var connectionReports: [ConnectionReport] { lock.withLock { reports } }

    /// Waits until `count` connections have ended (up to `timeout`); their reports.
    public func waitForReports(_ count: Int, timeout: TimeInterval = 10) -> [ConnectionReport] {
        let end = Date().addingTimeInterval(timeout)
        while connectionReports.count < count && Date() < end { Thread.sleep(forTimeInterval: 0.01) }
        return connectionReports
    }

    /// A loopback listener on a free port.
    static func listen() throws -> (Int32, Int) {
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        var one: Int32 = 1
        setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, Glibc.listen(listener, 64) == 0 else {
            close(listener)
            throw POSIXError(.EADDRINUSE)
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &length) }
        }
        return (listener, Int(UInt16(bigEndian: address.sin_port)))
    }

    private func acceptLoop() {
        while true {
            let client = accept(listener, nil, nil)
            if client < 0 { return }
            lock.withLock { accepted += 1 }
            Thread { [self] in serve(client) }.start()
        }
    }

    private func serve(_ fd: Int32) {
        let session = tls.flatMap { try? TLSSession.server($0) }
        let connection = ServerConnection(fd: fd, session: session)
        defer {
            connection.closeSocket()
            lock.withLock {
                reports.append(ConnectionReport(bytesSent: connection.bytesSent, peerClosedWhileSending: connection.peerClosed))
            }
        }
        guard connection.handshake() else {
            lock.withLock { failedHandshakes += 1 }
            return
        }
        var buffer: [UInt8] = []
        while true {
            var headEnd: Int?
            while headEnd == nil {
                if let range = buffer.firstRange(of: [13, 10, 13, 10]) {
                    headEnd = range.lowerBound
                    break
                }
                guard connection.receive(into: &buffer) else { return }
            }
            let head = String(decoding: buffer[..<headEnd!], as: UTF8.self)
            let lengthLine = head.split(separator: "\r\n").first { $0.lowercased().hasPrefix("content-length:") }
            let length = lengthLine.flatMap { Int($0.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)) } ?? 0
            while buffer.count < headEnd! + 4 + length {
                guard connection.receive(into: &buffer) else { return }
            }
            let body = Array(buffer[(headEnd! + 4)..<(headEnd! + 4 + length)])
            buffer.removeFirst(headEnd! + 4 + length)
            lock.withLock { requests.append(head) }
            let answer = handler(head, body)
            guard connection.send(answer.bytes) else { return }
            answer.then?(connection)
            if answer.close || connection.peerClosed {
                connection.finish()
                return
            }
        }
    }

    /// A complete answer with `Content-Length`.
    public static func answer(status: Int = 200, headers: [String] = [], body: String) -> Answer {
        answer(status: status, headers: headers, body: Array(body.utf8))
    }

    public static func answer(status: Int = 200, headers: [String] = [], body: [UInt8]) -> Answer {
        let text = "HTTP/1.1 \(status) X\r\n" + headers.map { $0 + "\r\n" }.joined() + "Content-Length: \(body.count)\r\n\r\n"
        return Answer(bytes: Array(text.utf8) + body)
    }

    /// A token answer for the OAuth endpoint.
    public static let tokenAnswer = answer(headers: ["Content-Type: application/json"],
                                           body: #"{"access_token":"raw-token-123456","expires_in":3600}"#)
}
