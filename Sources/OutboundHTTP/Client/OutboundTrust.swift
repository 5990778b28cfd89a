import TLS

/// Whom outbound HTTPS trusts: the system trust store, or the CA certificates of one PEM file
/// (tests and private deployments; `TRADINGD_OUTBOUND_CA_FILE`). Loaded once and shared: loading
/// the system store takes milliseconds, and one context serves every connection.
public struct OutboundTrust: Sendable {
    let context: TLSContext
    /// "the system trust store" or the file's path, for logs.
    public let source: String

    /// The system trust store at libcrypto's compiled-in paths (no environment variable is read),
    /// loaded on first use and kept for the process.
    public static func system() throws(HTTPClientError) -> OutboundTrust { try systemStore.get() }

    private static let systemStore = Result<OutboundTrust, HTTPClientError> { () throws(HTTPClientError) -> OutboundTrust in
        do throws(TLSError) {
            return OutboundTrust(context: try TLSContext.client(trust: .systemStore), source: "the system trust store")
        } catch {
            throw HTTPClientError(kind: .tls, message: error.message, mayHaveBeenSent: false)
        }
    }

    /// Only the CA certificates in the PEM file at `path`.
    /// - Throws: `.tls` when the file cannot be read or holds no certificate.
    public static func certificateFile(_ path: String) throws(HTTPClientError) -> OutboundTrust {
        do throws(TLSError) {
            return OutboundTrust(context: try TLSContext.client(trust: .certificateFile(path)), source: path)
        } catch {
            throw HTTPClientError(kind: .tls, message: error.message, mayHaveBeenSent: false)
        }
    }

    /// `certificateFile(path)` for a non-empty path, else `system()`.
    public static func load(caFile path: String?) throws(HTTPClientError) -> OutboundTrust {
        if let path, !path.isEmpty { return try certificateFile(path) }
        return try system()
    }
}
