import CTLS

/// One TLS connection as a state machine over bytes: it owns no socket and never blocks. The
/// caller moves ciphertext between the network and the session (`receive`, `takeOutgoing`) and
/// calls `handshake`, `read`, `write` and `close`, each of which says whether it needs more input.
/// So deadlines, polling and `MSG_NOSIGNAL` stay with the caller's socket code, and libssl never
/// touches a file descriptor.
///
/// The corresponding C objects are an `SSL` (`SSL_new`) with two memory BIOs
/// (`BIO_new(BIO_s_mem())`) handed to it by `SSL_set_bio`, which makes the `SSL` their owner;
/// `deinit` frees all three with `SSL_free`. Single owner: not safe from two threads at once.
public final class TLSSession {
    /// What an operation needs before it can go on.
    public enum Progress: Sendable, Equatable {
        case done
        /// Send `takeOutgoing()` to the peer, then `receive` more of its bytes and call again.
        case needsInput
    }

    /// The outcome of `read`.
    public enum ReadResult: Sendable, Equatable {
        /// This many bytes were appended.
        case bytes(Int)
        case needsInput
        /// The peer ended the session: `cleanly` when it sent close_notify, false when the
        /// transport ended without it (the data may have been cut short by an attacker).
        case closed(cleanly: Bool)
    }

    private let ssl: OpaquePointer
    private let incoming: OpaquePointer
    private let outgoing: OpaquePointer
    private let context: TLSContext
    private var transportEnded = false
    private var scratch = [UInt8](repeating: 0, count: 16 * 1024)

    private init(context: TLSContext) throws(TLSError) {
        TLSErrorQueue.clear()
        guard let ssl = SSL_new(context.raw) else {
            throw TLSError(.configuration, "libssl could not create a session: \(TLSErrorQueue.drain())")
        }
        guard let incoming = BIO_new(BIO_s_mem()), let outgoing = BIO_new(BIO_s_mem()) else {
            SSL_free(ssl)
            throw TLSError(.configuration, "libssl could not create memory buffers: \(TLSErrorQueue.drain())")
        }
        SSL_set_bio(ssl, incoming, outgoing)   // ssl owns both BIOs from here on
        ctls_bio_set_eof_return(incoming, -1)  // empty means "more may come", not end of stream
        self.ssl = ssl
        self.incoming = incoming
        self.outgoing = outgoing
        self.context = context
    }

    deinit { SSL_free(ssl) }

    /// A client session for `serverName`: a DNS name is sent as SNI and must match the
    /// certificate's DNS names; an IP literal (IPv6 without brackets) is not sent as SNI (RFC 6066
    /// §3) and must match one of the certificate's IP addresses. Offers ALPN `http/1.1` only.
    ///
    /// The corresponding C functions are `SSL_set_tlsext_host_name`, `SSL_set1_host` with
    /// `X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS`, `X509_VERIFY_PARAM_set1_ip_asc` and
    /// `SSL_set_alpn_protos`.
    public static func client(_ context: TLSContext, serverName: String, isIPAddress: Bool) throws(TLSError) -> TLSSession {
        guard context.role == .client else { throw TLSError(.configuration, "a client session needs a client context") }
        let session = try TLSSession(context: context)
        let ssl = session.ssl
        SSL_set_connect_state(ssl)
        if isIPAddress {
            guard X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), serverName) == 1 else {
                throw TLSError(.configuration, "'\(serverName)' is not an IP address libssl can verify")
            }
        } else {
            SSL_set_hostflags(ssl, UInt32(X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS))
            guard SSL_set1_host(ssl, serverName) == 1, ctls_set_server_name(ssl, serverName) == 1 else {
                throw TLSError(.configuration, "'\(serverName)' cannot be used as a TLS server name: \(TLSErrorQueue.drain())")
            }
        }
        let alpn: [UInt8] = [8] + Array("http/1.1".utf8)
        _ = SSL_set_alpn_protos(ssl, alpn, UInt32(alpn.count))   // 0 on success; failure only means no ALPN
        return session
    }

    /// A server session (test servers).
    public static func server(_ context: TLSContext) throws(TLSError) -> TLSSession {
        guard context.role == .server else { throw TLSError(.configuration, "a server session needs a server context") }
        let session = try TLSSession(context: context)
        SSL_set_accept_state(session.ssl)
        return session
    }

    // MARK: Ciphertext plumbing

    /// Hands bytes received from the peer to the session (`BIO_write` into the incoming BIO).
    public func receive(_ bytes: ArraySlice<UInt8>) {
        guard !bytes.isEmpty else { return }
        bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let written = BIO_write(incoming, raw.baseAddress! + offset, Int32(min(raw.count - offset, Int(Int32.max))))
                guard written > 0 else { return }   // a memory BIO only fails when out of memory
                offset += Int(written)
            }
        }
    }

    /// Tells the session that the transport ended: once the buffered bytes are used, reads see
    /// end of stream instead of "more may come".
    public func receiveEndOfStream() {
        transportEnded = true
        ctls_bio_set_eof_return(incoming, 0)
    }

    /// Whether ciphertext is waiting to be sent to the peer.
    public var hasOutgoing: Bool { BIO_ctrl_pending(outgoing) > 0 }

    /// Whether received bytes are buffered that no `read` has returned yet (decrypted or not).
    public var hasBufferedInput: Bool { BIO_ctrl_pending(incoming) > 0 || SSL_pending(ssl) > 0 }

    /// The ciphertext to send to the peer, emptied from the session (`BIO_read` of the outgoing BIO).
    public func takeOutgoing() -> [UInt8] {
        var out: [UInt8] = []
        while BIO_ctrl_pending(outgoing) > 0 {
            let count = scratch.withUnsafeMutableBytes { BIO_read(outgoing, $0.baseAddress!, Int32($0.count)) }
            guard count > 0 else { break }
            out.append(contentsOf: scratch[0..<Int(count)])
        }
        return out
    }

    // MARK: Operations

    /// Advances the handshake (`SSL_do_handshake`).
    /// - Throws: `.untrustedCertificate` or `.nameMismatch` when the client refused the server's
    ///   certificate (`SSL_get_verify_result`), `.handshakeFailed` for anything else.
    public func handshake() throws(TLSError) -> Progress {
        TLSErrorQueue.clear()
        let result = SSL_do_handshake(ssl)
        if result == 1 { return .done }
        let code = SSL_get_error(ssl, result)
        if code == SSL_ERROR_WANT_READ && !transportEnded { return .needsInput }
        if context.role == .client {
            let verify = SSL_get_verify_result(ssl)
            if verify != X509_V_OK {
                let reason = String(cString: X509_verify_cert_error_string(verify))
                let mismatch = verify == X509_V_ERR_HOSTNAME_MISMATCH || verify == X509_V_ERR_IP_ADDRESS_MISMATCH
                TLSErrorQueue.clear()
                throw TLSError(mismatch ? .nameMismatch : .untrustedCertificate,
                               mismatch ? "the server's certificate is not issued for this host (\(reason))"
                                        : "the server's certificate is not trusted (\(reason))")
            }
        }
        if code == SSL_ERROR_WANT_READ || code == SSL_ERROR_SYSCALL || code == SSL_ERROR_ZERO_RETURN {
            TLSErrorQueue.clear()
            throw TLSError(.handshakeFailed, "the connection ended during the TLS handshake")
        }
        throw TLSError(.handshakeFailed, "the TLS handshake failed: \(TLSErrorQueue.drain())")
    }

    /// Appends up to `limit` decrypted bytes to `buffer` (`SSL_read`).
    /// - Throws: `.protocolError` for a bad record or alert.
    public func read(into buffer: inout [UInt8], limit: Int = 16 * 1024) throws(TLSError) -> ReadResult {
        TLSErrorQueue.clear()
        let wanted = Int32(max(1, min(limit, scratch.count)))
        let count = scratch.withUnsafeMutableBytes { SSL_read(ssl, $0.baseAddress!, wanted) }
        if count > 0 {
            buffer.append(contentsOf: scratch[0..<Int(count)])
            return .bytes(Int(count))
        }
        switch SSL_get_error(ssl, count) {
        case SSL_ERROR_WANT_READ where !transportEnded:
            return .needsInput
        case SSL_ERROR_ZERO_RETURN:
            return .closed(cleanly: true)
        case SSL_ERROR_WANT_READ, SSL_ERROR_SYSCALL:
            TLSErrorQueue.clear()
            return .closed(cleanly: false)
        default:
            // OpenSSL 3 reports a transport end without close_notify as SSL_R_UNEXPECTED_EOF_WHILE_READING.
            if transportEnded && BIO_ctrl_pending(incoming) == 0 {
                TLSErrorQueue.clear()
                return .closed(cleanly: false)
            }
            throw TLSError(.protocolError, "TLS failed while reading: \(TLSErrorQueue.drain())")
        }
    }

    /// Encrypts all of `bytes` into outgoing records (`SSL_write`); the caller then sends
    /// `takeOutgoing()`. Memory BIOs take everything, so only a closed or failed session refuses.
    public func write(_ bytes: ArraySlice<UInt8>) throws(TLSError) {
        var rest = bytes
        while !rest.isEmpty {
            TLSErrorQueue.clear()
            let written = rest.withUnsafeBytes { SSL_write(ssl, $0.baseAddress!, Int32(min($0.count, Int(Int32.max)))) }
            guard written > 0 else {
                throw TLSError(.protocolError, "TLS failed while writing: \(TLSErrorQueue.drain())")
            }
            rest = rest.dropFirst(Int(written))
        }
    }

    /// Queues close_notify (`SSL_shutdown`); send `takeOutgoing()` afterwards. The peer's own
    /// close_notify is not awaited (RFC 8446 §6.1 allows this when no more data is read).
    public func close() {
        TLSErrorQueue.clear()
        _ = SSL_shutdown(ssl)
        TLSErrorQueue.clear()
    }

    /// The ALPN protocol the server chose, if any (`SSL_get0_alpn_selected`).
    public var negotiatedProtocol: String? {
        var data: UnsafePointer<UInt8>?
        var length: UInt32 = 0
        SSL_get0_alpn_selected(ssl, &data, &length)
        guard let data, length > 0 else { return nil }
        return String(decoding: UnsafeBufferPointer(start: data, count: Int(length)), as: UTF8.self)
    }

    /// `TLSv1.3` or `TLSv1.2` (`SSL_get_version`).
    public var protocolVersion: String { String(cString: SSL_get_version(ssl)) }
}
