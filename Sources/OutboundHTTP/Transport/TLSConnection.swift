import TLS

/// TLS over one `TCPConnection`: the TCP socket does the waiting (bounded by deadlines, never
/// SIGPIPE), the `TLSSession` does the cryptography. Single owner, like the socket it wraps.
final class TLSConnection: OutboundStream {
    private let tcp: TCPConnection
    private let session: TLSSession
    private var ciphertext: [UInt8] = []
    private(set) var endWasAuthenticated = true

    var address: IPAddress { tcp.address }

    private init(tcp: TCPConnection, session: TLSSession) {
        self.tcp = tcp
        self.session = session
    }

    /// Runs the handshake over `tcp` for `serverName` (a DNS name, verified and sent as SNI, or an
    /// IP literal, verified against the certificate's IP addresses), waiting until `deadline` at most.
    static func establish(over tcp: TCPConnection, context: TLSContext, serverName: String, isIPAddress: Bool,
                          deadline: Deadline) throws(TransportFailure) -> TLSConnection {
        let session: TLSSession
        do throws(TLSError) {
            session = try TLSSession.client(context, serverName: serverName, isIPAddress: isIPAddress)
        } catch {
            throw .tls(TLSFailure(kind: .handshake, message: error.message))
        }
        let connection = TLSConnection(tcp: tcp, session: session)
        do {
            while try session.handshake() == .needsInput {
                try connection.flush(until: deadline)
                try connection.pull(until: deadline)
            }
        } catch let error as TLSError {
            connection.sendAlertAndClose()
            let kind: TLSFailure.Kind = error.kind == .untrustedCertificate || error.kind == .nameMismatch ? .certificate : .handshake
            throw .tls(TLSFailure(kind: kind, message: error.message))
        } catch let error as TransportFailure {
            throw error
        } catch {
            throw .closed("the TLS handshake failed")
        }
        try connection.flush(until: deadline)
        return connection
    }

    func writeAll(_ bytes: [UInt8], until deadline: Deadline) throws(TransportFailure) {
        do throws(TLSError) {
            try session.write(bytes[...])
        } catch {
            throw .tls(TLSFailure(kind: .protocolError, message: error.message))
        }
        try flush(until: deadline)
    }

    func read(into buffer: inout [UInt8], until deadline: Deadline) throws(TransportFailure) -> Bool {
        while true {
            let result: TLSSession.ReadResult
            do throws(TLSError) {
                result = try session.read(into: &buffer)
            } catch {
                throw .tls(TLSFailure(kind: .protocolError, message: error.message))
            }
            switch result {
            case .bytes:
                return true
            case .needsInput:
                try flush(until: deadline)
                try pull(until: deadline)
            case .closed(let cleanly):
                endWasAuthenticated = cleanly
                return false
            }
        }
    }

    var isIdleAndOpen: Bool { !session.hasBufferedInput && tcp.isIdleAndOpen }

    /// Sends close_notify if the socket takes it at once, then closes the socket.
    func close() {
        session.close()
        tcp.sendWithoutWaiting(session.takeOutgoing())
        tcp.close()
    }

    /// Sends what the session has queued (handshake messages, records, alerts).
    private func flush(until deadline: Deadline) throws(TransportFailure) {
        guard session.hasOutgoing else { return }
        try tcp.writeAll(session.takeOutgoing(), until: deadline)
    }

    /// Moves the next bytes from the socket into the session, or tells it the stream ended.
    private func pull(until deadline: Deadline) throws(TransportFailure) {
        ciphertext.removeAll(keepingCapacity: true)
        if try tcp.read(into: &ciphertext, until: deadline) {
            session.receive(ciphertext[...])
        } else {
            session.receiveEndOfStream()
        }
    }

    /// After a refused handshake: the alert libssl queued (e.g. bad_certificate) goes out if the
    /// socket takes it at once.
    private func sendAlertAndClose() {
        tcp.sendWithoutWaiting(session.takeOutgoing())
        tcp.close()
    }
}
