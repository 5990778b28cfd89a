import Foundation
import Glibc

/// A loopback TCP server that answers each HTTP request with bytes a test chooses, so that the
/// client meets answers the HTTPServer target never sends (chunked bodies, closes, garbage).
/// One thread per connection; requests are read as head + `Content-Length` body.
final class RawHTTPServer: @unchecked Sendable {
    struct Answer {
        var bytes: [UInt8]
        /// Close the connection after writing.
        var close: Bool = false
    }

    typealias Handler = @Sendable (_ head: String, _ body: [UInt8]) -> Answer

    let port: Int
    private let listener: Int32
    private let handler: Handler
    private let lock = NSLock()
    private var accepted = 0
    private var requests: [String] = []

    init(handler: @escaping Handler) throws {
        self.handler = handler
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        self.listener = listener
        var one: Int32 = 1
        setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(listener, 64) == 0 else { throw POSIXError(.EADDRINUSE) }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &length) }
        }
        port = Int(UInt16(bigEndian: address.sin_port))
        Thread { [self] in acceptLoop() }.start()
    }

    deinit { shutdown(listener, Int32(SHUT_RDWR)); close(listener) }

    var connectionCount: Int { lock.withLock { accepted } }
    var requestHeads: [String] { lock.withLock { requests } }

    private func acceptLoop() {
        while true {
            let client = accept(listener, nil, nil)
            if client < 0 { return }
            lock.withLock { accepted += 1 }
            Thread { [self] in serve(client) }.start()
        }
    }

    private func serve(_ fd: Int32) {
        defer { close(fd) }
        var buffer: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            var headEnd: Int?
            while headEnd == nil {
                if let range = buffer.firstRange(of: [13, 10, 13, 10]) {
                    headEnd = range.lowerBound
                    break
                }
                let count = recv(fd, &chunk, chunk.count, 0)
                if count <= 0 { return }
                buffer += chunk[0..<count]
            }
            let head = String(decoding: buffer[..<headEnd!], as: UTF8.self)
            let lengthLine = head.split(separator: "\r\n").first { $0.lowercased().hasPrefix("content-length:") }
            let length = lengthLine.flatMap { Int($0.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)) } ?? 0
            while buffer.count < headEnd! + 4 + length {
                let count = recv(fd, &chunk, chunk.count, 0)
                if count <= 0 { return }
                buffer += chunk[0..<count]
            }
            let body = Array(buffer[(headEnd! + 4)..<(headEnd! + 4 + length)])
            buffer.removeFirst(headEnd! + 4 + length)
            lock.withLock { requests.append(head) }
            let answer = handler(head, body)
            var offset = 0
            while offset < answer.bytes.count {
                let sent = answer.bytes[offset...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                if sent <= 0 { return }
                offset += sent
            }
            if answer.close { return }
        }
    }

    /// A complete answer with `Content-Length`.
    static func answer(status: Int = 200, headers: [String] = [], body: String) -> Answer {
        let text = "HTTP/1.1 \(status) X\r\n" + headers.map { $0 + "\r\n" }.joined()
            + "Content-Length: \(body.utf8.count)\r\n\r\n" + body
        return Answer(bytes: Array(text.utf8))
    }

    /// A token answer for the OAuth endpoint.
    static let tokenAnswer = answer(headers: ["Content-Type: application/json"],
                                    body: #"{"access_token":"raw-token-123456","expires_in":3600}"#)
}
