/// Why a TLS context could not be set up or a session failed. `message` is a complete sentence
/// for logs and API errors: it names what was refused (an untrusted certificate, a certificate for
/// another name) and libssl's own reason, never key material.
public struct TLSError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Hashable {
        /// A certificate, key or CA file could not be loaded.
        case configuration
        /// The peer's certificate chain does not lead to a trusted root, has expired, or is
        /// otherwise invalid.
        case untrustedCertificate
        /// The certificate is valid but issued for another host name or address.
        case nameMismatch
        /// The handshake failed for another reason (no common protocol version or cipher, the peer
        /// is not speaking TLS, an alert).
        case handshakeFailed
        /// A TLS protocol error after the handshake (a bad record, an unexpected message).
        case protocolError
    }

    public let kind: Kind
    public let message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }
}
