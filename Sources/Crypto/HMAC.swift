import CCrypto

/// HMAC (RFC 2104) through libcrypto's EVP_MAC interface.
public enum HMAC {
    /// Returns the 32-byte HMAC-SHA256 of `message` under `key` (any key length, including 0).
    ///
    /// The corresponding C function is `EVP_Q_mac(NULL, "HMAC", NULL, "SHA256", ...)`, a one-shot
    /// call that fetches, uses and frees its own `EVP_MAC` and context; the output is written into
    /// a Swift buffer owned here, so nothing is left for the caller to free.
    public static func sha256(key: [UInt8], message: [UInt8]) -> [UInt8] {
        var mac = [UInt8](repeating: 0, count: SHA256.byteCount)
        var length = 0
        // A one-byte dummy keeps the key pointer non-NULL for an empty key; the length stays 0.
        let keyBytes = key.isEmpty ? [0] : key
        let result = keyBytes.withUnsafeBytes { k in
            message.withUnsafeBytes { m in
                mac.withUnsafeMutableBufferPointer { out in
                    EVP_Q_mac(nil, "HMAC", nil, "SHA256", nil,
                              k.baseAddress, key.count,
                              m.baseAddress?.assumingMemoryBound(to: UInt8.self), m.count,
                              out.baseAddress, out.count, &length)
                }
            }
        }
        precondition(result != nil && length == SHA256.byteCount, "\(CryptoError.library("EVP_Q_mac"))")
        return mac
    }

    /// HMAC-SHA256 of the UTF-8 bytes of `message`.
    public static func sha256(key: [UInt8], message: String) -> [UInt8] {
        sha256(key: key, message: Array(message.utf8))
    }
}
