import CCrypto

/// SHA-256 (FIPS 180-4) through libcrypto.
public enum SHA256 {
    /// The digest length in bytes.
    public static let byteCount = 32

    /// Returns the 32-byte SHA-256 digest of `bytes`.
    ///
    /// The corresponding C function is `EVP_Digest` with `EVP_sha256()`; it writes into a Swift
    /// buffer owned here. `EVP_sha256()` returns a static method table that nobody frees.
    public static func hash(_ bytes: [UInt8]) -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: byteCount)
        var length: UInt32 = 0
        let ok = bytes.withUnsafeBytes { input in
            digest.withUnsafeMutableBufferPointer { out in
                EVP_Digest(input.baseAddress, input.count, out.baseAddress, &length, EVP_sha256(), nil)
            }
        }
        // EVP_Digest with the built-in SHA-256 cannot fail short of memory corruption or a
        // broken installation; treat either as a programming error rather than a thrown error.
        precondition(ok == 1 && length == UInt32(byteCount), "\(CryptoError.library("EVP_Digest"))")
        return digest
    }

    /// The digest of the UTF-8 bytes of `text`.
    public static func hash(_ text: String) -> [UInt8] { hash(Array(text.utf8)) }

    /// The digest of `bytes` as 64 lower-case hex characters.
    public static func hexHash(_ bytes: [UInt8]) -> String { Hex.encode(hash(bytes)) }

    /// The digest of the UTF-8 bytes of `text` as 64 lower-case hex characters.
    public static func hexHash(_ text: String) -> String { Hex.encode(hash(text)) }
}
