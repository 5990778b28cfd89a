/// Password hashes for storage: PBKDF2-HMAC-SHA256 with a random 16-byte salt, written as a
/// PHC-style string `$pbkdf2-sha256$i=<iterations>$<salt>$<hash>` where salt and the 32-byte hash
/// are standard base64 without padding (the PHC string format's "B64").
public enum PasswordHash {
    /// OWASP's 2023 recommendation for PBKDF2-HMAC-SHA256.
    public static let defaultIterations = 600_000
    static let identifier = "pbkdf2-sha256"
    static let saltByteCount = 16
    static let hashByteCount = 32
    /// Refuse stored counts beyond this, so a tampered row cannot stall a login for minutes.
    static let maximumIterations = 10_000_000

    /// Hashes `password` with a fresh random salt.
    /// - Throws: `CryptoError` when random bytes cannot be drawn or `iterations` is out of range.
    public static func make(_ password: String, iterations: Int = defaultIterations) throws -> String {
        guard iterations > 0, iterations <= maximumIterations else {
            throw CryptoError(.invalidLength, "iterations must be 1...\(maximumIterations), got \(iterations)")
        }
        let salt = try SecureRandom.bytes(count: saltByteCount)
        let hash = try PBKDF2.sha256(password: Array(password.utf8), salt: salt, iterations: iterations, keyLength: hashByteCount)
        return "$\(identifier)$i=\(iterations)$\(Base64Text.encodeUnpadded(salt))$\(Base64Text.encodeUnpadded(hash))"
    }

    /// Whether `password` matches `stored`; the final comparison is constant-time.
    /// - Throws: `.malformedInput` when `stored` is not a hash this type writes (so corrupt rows
    ///   are noticed rather than silently failing every login).
    public static func verify(_ password: String, against stored: String) throws -> Bool {
        let parsed = try parse(stored)
        let candidate = try PBKDF2.sha256(
            password: Array(password.utf8), salt: parsed.salt, iterations: parsed.iterations, keyLength: parsed.hash.count)
        return ConstantTime.equals(candidate, parsed.hash)
    }

    /// Whether `stored` was made with fewer iterations than `iterations` and should be replaced
    /// (after a successful `verify`) by a fresh `make`.
    public static func needsRehash(_ stored: String, iterations: Int = defaultIterations) -> Bool {
        guard let parsed = try? parse(stored) else { return true }
        return parsed.iterations < iterations
    }

    static func parse(_ stored: String) throws -> (iterations: Int, salt: [UInt8], hash: [UInt8]) {
        // "$pbkdf2-sha256$i=N$salt$hash" splits into "", id, params, salt, hash.
        let parts = stored.split(separator: "$", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 5, parts[0].isEmpty, parts[1] == identifier else {
            throw CryptoError(.malformedInput, "password hash is not in the $\(identifier)$i=N$salt$hash format")
        }
        guard parts[2].hasPrefix("i="), let iterations = Int(parts[2].dropFirst(2)),
              iterations > 0, iterations <= maximumIterations else {
            throw CryptoError(.malformedInput, "password hash has a missing or out-of-range iteration count")
        }
        guard let salt = Base64Text.decodeUnpadded(parts[3]), (8...64).contains(salt.count) else {
            throw CryptoError(.malformedInput, "password hash has an invalid salt")
        }
        guard let hash = Base64Text.decodeUnpadded(parts[4]), (16...64).contains(hash.count) else {
            throw CryptoError(.malformedInput, "password hash has an invalid hash value")
        }
        return (iterations, salt, hash)
    }
}
