import CTLS

/// Settings shared by many TLS sessions: the role, the trusted authorities (client) or the
/// certificate and key (server). Both roles allow TLS 1.2 and 1.3 only, with TLS compression and
/// renegotiation off; a client always verifies the server's certificate chain and name.
///
/// The corresponding C object is an `SSL_CTX`, made by `SSL_CTX_new` and freed by `deinit`
/// (`SSL_CTX_free`); sessions keep their own reference to it, so it may go before them.
/// An `SSL_CTX` that is no longer modified may be used by many threads at once (OpenSSL 1.1+),
/// and nothing modifies it after the factory returns: hence `@unchecked Sendable`.
public final class TLSContext: @unchecked Sendable {
    public enum Role: Sendable { case client, server }

    public let role: Role
    let raw: OpaquePointer

    private init(role: Role) throws(TLSError) {
        guard let raw = SSL_CTX_new(role == .client ? TLS_client_method() : TLS_server_method()) else {
            throw TLSError(.configuration, "libssl could not create a TLS context: \(TLSErrorQueue.drain())")
        }
        self.raw = raw
        self.role = role
        guard ctls_ctx_harden(raw) == 1 else {
            throw TLSError(.configuration, "libssl refused the minimum protocol version: \(TLSErrorQueue.drain())")
        }
    }

    deinit { SSL_CTX_free(raw) }

    /// A client context that verifies servers against `trust`.
    /// - Throws: `.configuration` when the CA file cannot be read or holds no certificate.
    ///
    /// The corresponding C functions are `SSL_CTX_set_verify` (`SSL_VERIFY_PEER`) and
    /// `SSL_CTX_load_verify_file` / `SSL_CTX_load_verify_dir`.
    public static func client(trust: TLSTrust) throws(TLSError) -> TLSContext {
        let context = try TLSContext(role: .client)
        SSL_CTX_set_verify(context.raw, SSL_VERIFY_PEER, nil)
        TLSErrorQueue.clear()
        switch trust {
        case .systemStore:
            // Compiled-in paths, not the SSL_CERT_* environment variables. Either may be missing
            // on a given system; an empty store then refuses every server, which is the safe side.
            let file = String(cString: X509_get_default_cert_file())
            let directory = String(cString: X509_get_default_cert_dir())
            let loadedFile = SSL_CTX_load_verify_file(context.raw, file) == 1
            let loadedDirectory = SSL_CTX_load_verify_dir(context.raw, directory) == 1
            TLSErrorQueue.clear()
            guard loadedFile || loadedDirectory else {
                throw TLSError(.configuration, "the system trust store (\(file), \(directory)) could not be loaded")
            }
        case .certificateFile(let path):
            guard SSL_CTX_load_verify_file(context.raw, path) == 1 else {
                throw TLSError(.configuration, "the CA file '\(path)' could not be loaded: \(TLSErrorQueue.drain())")
            }
        }
        return context
    }

    /// A server context presenting the PEM certificate chain (leaf first) and private key. Used by
    /// test servers; tradingd itself terminates no TLS (a reverse proxy does, DESIGN §6).
    ///
    /// The corresponding C functions are `SSL_CTX_use_certificate_chain_file`,
    /// `SSL_CTX_use_PrivateKey_file` and `SSL_CTX_check_private_key`.
    public static func server(certificateChainFile: String, privateKeyFile: String) throws(TLSError) -> TLSContext {
        let context = try TLSContext(role: .server)
        TLSErrorQueue.clear()
        guard SSL_CTX_use_certificate_chain_file(context.raw, certificateChainFile) == 1 else {
            throw TLSError(.configuration, "the certificate file '\(certificateChainFile)' could not be loaded: \(TLSErrorQueue.drain())")
        }
        guard SSL_CTX_use_PrivateKey_file(context.raw, privateKeyFile, SSL_FILETYPE_PEM) == 1,
              SSL_CTX_check_private_key(context.raw) == 1 else {
            throw TLSError(.configuration, "the key file '\(privateKeyFile)' could not be loaded or does not match: \(TLSErrorQueue.drain())")
        }
        return context
    }
}

/// libssl's per-thread error queue.
enum TLSErrorQueue {
    /// Empties the queue, so that `SSL_get_error` after the next call describes that call only.
    static func clear() { ERR_clear_error() }

    /// The queued errors as text (`ERR_get_error`, `ERR_error_string_n`), oldest first, and empties
    /// the queue; "no detail" when it was empty.
    static func drain() -> String {
        var parts: [String] = []
        while true {
            let code = ERR_get_error()
            if code == 0 { break }
            var buffer = [CChar](repeating: 0, count: 256)
            ERR_error_string_n(code, &buffer, buffer.count)
            if parts.count < 4 {
                parts.append(String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
            }
        }
        return parts.isEmpty ? "no detail" : parts.joined(separator: "; ")
    }
}
