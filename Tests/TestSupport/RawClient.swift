import Foundation
import Glibc
import HTTPServer

/// A response read off a raw socket.
public struct RawResponse: Sendable {
    public var status: Int
    public var headers: HTTPHeaders
    public var body: [UInt8]
    public var text: String { String(decoding: body, as: UTF8.self) }
}

public struct RawClientError: Error, CustomStringConvertible {
    public let description: String
}

/// A blocking TCP client that writes exactly the bytes a test gives it, so that malformed,
/// split, slow and pipelined requests reach the server as written.
public final class RawClient {
    public let fd: Int32
    private var pending: [UInt8] = []
    public private(set) var closedByPeer = false

    /// - Parameter receiveBuffer: a small `SO_RCVBUF` makes the server see a slow reader sooner.
    public init(port: Int, timeout: Double = 5, receiveBuffer: Int32? = nil) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw RawClientError(description: "socket: \(errno)") }
        if var size = receiveBuffer {
            setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard result == 0 else {
            let error = errno
            Glibc.close(fd)
            throw RawClientError(description: "connect: \(error)")
        }
        setTimeout(timeout)
    }

    deinit { Glibc.close(fd) }

    public func setTimeout(_ seconds: Double) {
        var value = timeval(tv_sec: Int(seconds), tv_usec: Int((seconds - Double(Int(seconds))) * 1_000_000))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &value, socklen_t(MemoryLayout<timeval>.size))
    }

    /// Sends everything (false when the server has gone).
    @discardableResult
    public func send(_ bytes: [UInt8]) -> Bool {
        Self.send(bytes, on: fd)
    }

    /// Sends everything on `fd` (usable from another thread than the reader's).
    @discardableResult
    public static func send(_ bytes: [UInt8], on fd: Int32) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes {
                Glibc.send(fd, $0.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL))
            }
            guard written > 0 else { return false }
            offset += written
        }
        return true
    }

    @discardableResult
    public func send(_ text: String) -> Bool { send(Array(text.utf8)) }

    /// Reads more bytes into `pending`; false on timeout, error or end of stream.
    private func fill() -> Bool {
        var chunk = [UInt8](repeating: 0, count: 65536)
        let count = chunk.withUnsafeMutableBytes { Glibc.recv(fd, $0.baseAddress, $0.count, 0) }
        if count == 0 { closedByPeer = true }
        guard count > 0 else { return false }
        pending += chunk[0..<count]
        return true
    }

    /// Reads one response; `headRequest` means no body follows the head.
    public func readResponse(headRequest: Bool = false) throws -> RawResponse {
        var headEnd: Int?
        while headEnd == nil {
            if let range = pending.firstRange(of: Array("\r\n\r\n".utf8)) {
                headEnd = range.upperBound
            } else if !fill() {
                throw RawClientError(description: closedByPeer ? "closed before a response" : "timed out")
            }
        }
        let head = String(decoding: pending[..<headEnd!], as: UTF8.self)
        pending.removeFirst(headEnd!)
        var lines = head.components(separatedBy: "\r\n").filter { !$0.isEmpty }
        let statusLine = lines.removeFirst().split(separator: " ")
        guard statusLine.count >= 2, let status = Int(statusLine[1]) else {
            throw RawClientError(description: "bad status line in \(head)")
        }
        var headers = HTTPHeaders()
        for line in lines {
            let parts = line.split(separator: ":", maxSplits: 1)
            headers.add(String(parts[0]), parts.count > 1 ? parts[1].trimmingCharacters(in: .whitespaces) : "")
        }
        let length = (headRequest || status == 100 || status == 204) ? 0 : Int(headers["Content-Length"] ?? "0") ?? 0
        while pending.count < length {
            guard fill() else { throw RawClientError(description: "body cut short") }
        }
        let body = Array(pending[..<length])
        pending.removeFirst(length)
        return RawResponse(status: status, headers: headers, body: body)
    }

    /// True when the server closes the connection within the receive timeout (data before the
    /// close is discarded).
    public func waitForClose() -> Bool {
        pending.removeAll()
        while fill() { pending.removeAll() }
        return closedByPeer || errno == ECONNRESET
    }

    /// One request on a fresh connection.
    public static func get(_ path: String, port: Int, headers: String = "") throws -> RawResponse {
        let client = try RawClient(port: port)
        client.send("GET \(path) HTTP/1.1\r\nHost: test\r\n\(headers)\r\n")
        return try client.readResponse()
    }
}

