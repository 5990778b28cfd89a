import Foundation
import Glibc
import TLS

/// The server's side of one accepted test connection, plain or TLS, on a blocking socket.
/// One thread uses it at a time.
public final class ServerConnection: @unchecked Sendable {
    private let fd: Int32
    private let session: TLSSession?
    private var chunk = [UInt8](repeating: 0, count: 16 * 1024)
    /// Plaintext bytes the peer accepted (for TLS, before encryption).
    public private(set) var bytesSent = 0
    /// Whether a send failed because the peer had closed or reset the connection.
    public private(set) var peerClosed = false
    private var ended = false

    init(fd: Int32, session: TLSSession?) {
        self.fd = fd
        self.session = session
        var timeout = timeval(tv_sec: 30, tv_usec: 0)   // a stuck test fails instead of hanging
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    /// Runs the TLS handshake (no-op for plain connections); false when it failed.
    func handshake() -> Bool {
        guard let session else { return true }
        do {
            while try session.handshake() == .needsInput {
                guard flush(), pull() else { return false }
            }
            return flush()
        } catch {
            _ = flush()   // the alert, if any
            return false
        }
    }

    /// Sends `bytes`; false when the peer closed the connection (or a timeout passed).
    @discardableResult
    public func send(_ bytes: [UInt8]) -> Bool {
        guard !peerClosed else { return false }
        if let session {
            do { try session.write(bytes[...]) } catch { return false }
            guard flush() else { return false }
        } else {
            guard sendRaw(bytes) else { return false }
        }
        bytesSent += bytes.count
        return true
    }

    @discardableResult
    public func send(_ text: String) -> Bool { send(Array(text.utf8)) }

    /// Appends what the peer sent next (plaintext) to `buffer`; false at end of stream.
    public func receive(into buffer: inout [UInt8]) -> Bool {
        guard let session else {
            let count = recv(fd, &chunk, chunk.count, 0)
            guard count > 0 else { return false }
            buffer += chunk[0..<count]
            return true
        }
        while true {
            guard let result = try? session.read(into: &buffer) else { return false }
            switch result {
            case .bytes: return true
            case .closed: return false
            case .needsInput: guard flush(), pull() else { return false }
            }
        }
    }

    /// TLS close_notify (when TLS), then the socket is shut down for writing.
    public func finish() {
        guard !ended else { return }
        ended = true
        if let session {
            session.close()
            _ = flush()
        }
        shutdown(fd, Int32(SHUT_WR))
    }

    /// Ends the TCP connection without TLS close_notify, as an attacker cutting it would.
    public func endWithoutCloseNotify() {
        ended = true
        shutdown(fd, Int32(SHUT_RDWR))
    }

    func closeSocket() { close(fd) }

    private func flush() -> Bool {
        guard let session, session.hasOutgoing else { return true }
        return sendRaw(session.takeOutgoing())
    }

    private func pull() -> Bool {
        let count = recv(fd, &chunk, chunk.count, 0)
        if count > 0 {
            session?.receive(chunk[0..<count])
        } else {
            session?.receiveEndOfStream()
        }
        return count >= 0
    }

    private func sendRaw(_ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if sent <= 0 {
                peerClosed = true
                return false
            }
            offset += sent
        }
        return true
    }
}
