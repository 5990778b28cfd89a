import CCrypto

/// Comparison whose running time does not depend on where two secrets first differ.
public enum ConstantTime {
    /// Whether `a` and `b` hold the same bytes.
    ///
    /// Lengths are treated as public (MACs, hashes and tokens have fixed, known lengths): a length
    /// mismatch returns `false` at once, without looking at any content. Equal lengths are compared
    /// in full with `CRYPTO_memcmp`, which reads every byte whatever they hold; it only reads the
    /// Swift buffers for the duration of the call and keeps no pointer.
    public static func equals(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        guard !a.isEmpty else { return true }
        return a.withUnsafeBytes { x in
            b.withUnsafeBytes { y in CRYPTO_memcmp(x.baseAddress, y.baseAddress, x.count) == 0 }
        }
    }

    /// Compares the UTF-8 bytes of two strings, as `equals(_:_:)` does.
    public static func equals(_ a: String, _ b: String) -> Bool {
        equals(Array(a.utf8), Array(b.utf8))
    }
}
