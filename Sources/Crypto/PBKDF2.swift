import CCrypto

/// PBKDF2 (RFC 8018 §5.2) with HMAC-SHA256 as the pseudo-random function.
public enum PBKDF2 {
    /// Derives `keyLength` bytes from `password` and `salt` with `iterations` rounds.
    ///
    /// The corresponding C function is `PKCS5_PBKDF2_HMAC` with `EVP_sha256()`; it reads the Swift
    /// buffers during the call and writes into a Swift buffer owned here; nothing is left to free.
    /// - Throws: `.invalidLength` for a non-positive iteration count or key length, or inputs
    ///   larger than the C interface accepts; `.libraryFailure` if libcrypto refuses.
    public static func sha256(password: [UInt8], salt: [UInt8], iterations: Int, keyLength: Int) throws -> [UInt8] {
        guard iterations > 0, iterations <= Int(Int32.max) else {
            throw CryptoError(.invalidLength, "PBKDF2 iteration count must be 1...\(Int32.max), got \(iterations)")
        }
        guard keyLength > 0, keyLength <= 1 << 20 else {
            throw CryptoError(.invalidLength, "PBKDF2 key length must be 1...\(1 << 20), got \(keyLength)")
        }
        guard password.count < Int(Int32.max), salt.count < Int(Int32.max) else {
            throw CryptoError(.invalidLength, "PBKDF2 password or salt too large")
        }
        var derived = [UInt8](repeating: 0, count: keyLength)
        // Non-empty stand-ins keep the pointers non-NULL; the lengths passed stay the real ones.
        let passwordBytes = password.isEmpty ? [0] : password
        let saltBytes = salt.isEmpty ? [0] : salt
        let ok = passwordBytes.withUnsafeBytes { p in
            saltBytes.withUnsafeBytes { s in
                derived.withUnsafeMutableBufferPointer { out in
                    PKCS5_PBKDF2_HMAC(
                        p.bindMemory(to: CChar.self).baseAddress, Int32(password.count),
                        s.bindMemory(to: UInt8.self).baseAddress, Int32(salt.count),
                        Int32(iterations), EVP_sha256(), Int32(out.count), out.baseAddress)
                }
            }
        }
        guard ok == 1 else { throw CryptoError.library("PKCS5_PBKDF2_HMAC") }
        return derived
    }
}
