import CCrypto

/// Cryptographically secure random bytes from libcrypto's DRBG.
public enum SecureRandom {
    /// Returns `count` random bytes.
    ///
    /// The corresponding C function is `RAND_bytes`, writing into a Swift buffer owned here.
    /// - Throws: `CryptoError.randomFailure` when the generator is not (or can no longer be)
    ///   seeded; the bytes are then never returned, not even partially.
    public static func bytes(count: Int) throws -> [UInt8] {
        precondition(count >= 0 && count <= Int(Int32.max), "random byte count out of range")
        var out = [UInt8](repeating: 0, count: count)
        guard count > 0 else { return out }
        let ok = out.withUnsafeMutableBufferPointer { RAND_bytes($0.baseAddress, Int32($0.count)) }
        guard ok == 1 else {
            let reason = CryptoError.library("RAND_bytes").detail
            throw CryptoError(.randomFailure, reason)
        }
        return out
    }
}
