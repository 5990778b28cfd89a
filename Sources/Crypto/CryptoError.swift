import CCrypto

/// An error from the `Crypto` target. `description` is safe to log: it never contains key material,
/// plaintext or secrets, only what failed and, for library failures, OpenSSL's reason text.
public struct CryptoError: Error, Sendable, Equatable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }
        public var description: String { name }

        /// libcrypto returned a failure; `detail` holds its error queue text.
        public static let libraryFailure = Code("libraryFailure")
        /// The random generator could not produce bytes (`RAND_bytes` failed).
        public static let randomFailure = Code("randomFailure")
        /// A key, nonce or tag had the wrong length.
        public static let invalidLength = Code("invalidLength")
        /// Authentication failed: wrong key, or ciphertext, tag or associated data was altered.
        public static let authenticationFailed = Code("authenticationFailed")
        /// A sealed token or stored hash is not in the expected format.
        public static let malformedInput = Code("malformedInput")
        /// A sealed token names a key id that the keyring does not hold.
        public static let unknownKeyID = Code("unknownKeyID")
        /// The keyring configuration is invalid (no keys, missing current key, bad key text).
        public static let invalidKeyring = Code("invalidKeyring")
    }

    public let code: Code
    /// A human-readable reason; never contains secret values.
    public let detail: String

    public init(_ code: Code, _ detail: String) {
        self.code = code
        self.detail = detail
    }

    public var description: String { "CryptoError(\(code)): \(detail)" }

    /// Builds a `.libraryFailure` for `call`, draining OpenSSL's thread-local error queue so that
    /// a stale entry cannot be blamed on a later call.
    /// The corresponding C functions are `ERR_get_error` and `ERR_error_string_n`.
    static func library(_ call: String) -> CryptoError {
        var reasons: [String] = []
        while true {
            let code = ERR_get_error()
            if code == 0 { break }
            var buffer = [CChar](repeating: 0, count: 256)
            buffer.withUnsafeMutableBufferPointer { ERR_error_string_n(code, $0.baseAddress, $0.count) }
            reasons.append(String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        let reason = reasons.isEmpty ? "no reason given" : reasons.joined(separator: "; ")
        return CryptoError(.libraryFailure, "\(call) failed: \(reason)")
    }
}
