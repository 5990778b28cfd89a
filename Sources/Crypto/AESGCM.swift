import CCrypto

/// AES-256 in Galois/Counter Mode (NIST SP 800-38D) through libcrypto's EVP cipher interface:
/// a 32-byte key, a 12-byte nonce and a full 16-byte tag.
///
/// A nonce must never repeat under one key; `seal` draws a random one unless given one, which is
/// safe for well under 2^32 messages per key (keys here protect a handful of stored secrets).
public enum AESGCM {
    public static let keyByteCount = 32
    public static let nonceByteCount = 12
    public static let tagByteCount = 16

    /// The output of `seal`: nonce, ciphertext (as long as the plaintext) and tag.
    public struct SealedBox: Sendable, Equatable {
        public let nonce: [UInt8]
        public let ciphertext: [UInt8]
        public let tag: [UInt8]

        /// - Throws: `.invalidLength` when the nonce is not 12 bytes or the tag not 16.
        public init(nonce: [UInt8], ciphertext: [UInt8], tag: [UInt8]) throws {
            guard nonce.count == AESGCM.nonceByteCount else {
                throw CryptoError(.invalidLength, "AES-GCM nonce must be \(AESGCM.nonceByteCount) bytes, got \(nonce.count)")
            }
            guard tag.count == AESGCM.tagByteCount else {
                throw CryptoError(.invalidLength, "AES-GCM tag must be \(AESGCM.tagByteCount) bytes, got \(tag.count)")
            }
            self.nonce = nonce
            self.ciphertext = ciphertext
            self.tag = tag
        }

        /// Splits `nonce | ciphertext | tag`, the layout of `combined`.
        /// - Throws: `.malformedInput` when shorter than a nonce and a tag.
        public init(combined: [UInt8]) throws {
            guard combined.count >= AESGCM.nonceByteCount + AESGCM.tagByteCount else {
                throw CryptoError(.malformedInput, "sealed data is \(combined.count) bytes, shorter than nonce and tag")
            }
            try self.init(
                nonce: Array(combined.prefix(AESGCM.nonceByteCount)),
                ciphertext: Array(combined.dropFirst(AESGCM.nonceByteCount).dropLast(AESGCM.tagByteCount)),
                tag: Array(combined.suffix(AESGCM.tagByteCount)))
        }

        /// `nonce | ciphertext | tag` in one array.
        public var combined: [UInt8] { nonce + ciphertext + tag }
    }

    /// Encrypts and authenticates `plaintext`, also authenticating (not encrypting) `aad`.
    ///
    /// The corresponding C functions are `EVP_CIPHER_CTX_new`, `EVP_EncryptInit_ex` with
    /// `EVP_aes_256_gcm()`, `EVP_EncryptUpdate`, `EVP_EncryptFinal_ex`, `EVP_CIPHER_CTX_ctrl`
    /// (`EVP_CTRL_GCM_GET_TAG`) and `EVP_CIPHER_CTX_free`. The context is created and freed inside
    /// this call (freeing also wipes the expanded key); outputs are copied into Swift arrays.
    /// - Parameter nonce: 12 bytes; `nil` draws a fresh random nonce (the normal case). Pass one only
    ///   for known-answer tests or when a unique nonce is guaranteed by construction.
    public static func seal(_ plaintext: [UInt8], key: [UInt8], nonce: [UInt8]? = nil, aad: [UInt8] = []) throws -> SealedBox {
        try checkKey(key)
        let nonce = try nonce ?? SecureRandom.bytes(count: nonceByteCount)
        guard nonce.count == nonceByteCount else {
            throw CryptoError(.invalidLength, "AES-GCM nonce must be \(nonceByteCount) bytes, got \(nonce.count)")
        }
        let context = try CipherContext()
        guard EVP_EncryptInit_ex(context.raw, EVP_aes_256_gcm(), nil, key, nonce) == 1 else {
            throw CryptoError.library("EVP_EncryptInit_ex")
        }
        try context.update(aad: aad, encrypting: true)
        var ciphertext = try context.transform(plaintext, encrypting: true)
        var finalLength: Int32 = 0
        var spare = [UInt8](repeating: 0, count: 16)   // GCM writes nothing here; the call wants room
        guard EVP_EncryptFinal_ex(context.raw, &spare, &finalLength) == 1 else {
            throw CryptoError.library("EVP_EncryptFinal_ex")
        }
        ciphertext += spare.prefix(Int(finalLength))
        var tag = [UInt8](repeating: 0, count: tagByteCount)
        guard EVP_CIPHER_CTX_ctrl(context.raw, EVP_CTRL_GCM_GET_TAG, Int32(tagByteCount), &tag) == 1 else {
            throw CryptoError.library("EVP_CIPHER_CTX_ctrl(GET_TAG)")
        }
        return try SealedBox(nonce: nonce, ciphertext: ciphertext, tag: tag)
    }

    /// Checks the tag and, only if it matches, returns the plaintext.
    ///
    /// The corresponding C functions are `EVP_DecryptInit_ex`, `EVP_DecryptUpdate`,
    /// `EVP_CIPHER_CTX_ctrl` (`EVP_CTRL_GCM_SET_TAG`) and `EVP_DecryptFinal_ex`, on a context created
    /// and freed inside this call. Decrypted bytes are discarded unless the tag verifies.
    /// - Throws: `.authenticationFailed` when the key is wrong or the nonce, ciphertext, tag or
    ///   `aad` was altered.
    public static func open(_ box: SealedBox, key: [UInt8], aad: [UInt8] = []) throws -> [UInt8] {
        try checkKey(key)
        let context = try CipherContext()
        guard EVP_DecryptInit_ex(context.raw, EVP_aes_256_gcm(), nil, key, box.nonce) == 1 else {
            throw CryptoError.library("EVP_DecryptInit_ex")
        }
        try context.update(aad: aad, encrypting: false)
        var plaintext = try context.transform(box.ciphertext, encrypting: false)
        var tag = box.tag
        guard EVP_CIPHER_CTX_ctrl(context.raw, EVP_CTRL_GCM_SET_TAG, Int32(tagByteCount), &tag) == 1 else {
            throw CryptoError.library("EVP_CIPHER_CTX_ctrl(SET_TAG)")
        }
        var finalLength: Int32 = 0
        var spare = [UInt8](repeating: 0, count: 16)
        guard EVP_DecryptFinal_ex(context.raw, &spare, &finalLength) == 1 else {
            ERR_clear_error()   // a bad tag is an expected outcome, not a library fault
            plaintext.resetBytes()
            throw CryptoError(.authenticationFailed, "AES-GCM authentication failed: wrong key, or the ciphertext, tag or associated data was altered")
        }
        return plaintext + spare.prefix(Int(finalLength))
    }

    /// Opens `nonce | ciphertext | tag` as produced by `SealedBox.combined`.
    public static func open(combined: [UInt8], key: [UInt8], aad: [UInt8] = []) throws -> [UInt8] {
        try open(SealedBox(combined: combined), key: key, aad: aad)
    }

    private static func checkKey(_ key: [UInt8]) throws {
        guard key.count == keyByteCount else {
            throw CryptoError(.invalidLength, "AES-256-GCM key must be \(keyByteCount) bytes, got \(key.count)")
        }
    }
}

/// Owns one `EVP_CIPHER_CTX` for the length of a seal or open; never escapes this file.
private final class CipherContext {
    let raw: OpaquePointer

    /// The corresponding C function is `EVP_CIPHER_CTX_new`; `deinit` frees with `EVP_CIPHER_CTX_free`.
    init() throws {
        guard let raw = EVP_CIPHER_CTX_new() else { throw CryptoError.library("EVP_CIPHER_CTX_new") }
        self.raw = raw
    }

    deinit { EVP_CIPHER_CTX_free(raw) }

    /// Feeds associated data (`EVP_EncryptUpdate`/`EVP_DecryptUpdate` with a NULL output).
    func update(aad: [UInt8], encrypting: Bool) throws {
        guard !aad.isEmpty else { return }
        var ignored: Int32 = 0
        let ok = encrypting
            ? EVP_EncryptUpdate(raw, nil, &ignored, aad, Int32(aad.count))
            : EVP_DecryptUpdate(raw, nil, &ignored, aad, Int32(aad.count))
        guard ok == 1 else { throw CryptoError.library(encrypting ? "EVP_EncryptUpdate(aad)" : "EVP_DecryptUpdate(aad)") }
    }

    /// Encrypts or decrypts `input`; GCM is a stream mode, so the output is as long as the input.
    func transform(_ input: [UInt8], encrypting: Bool) throws -> [UInt8] {
        guard !input.isEmpty else { return [] }
        guard input.count < Int(Int32.max) else { throw CryptoError(.invalidLength, "AES-GCM input too large") }
        var output = [UInt8](repeating: 0, count: input.count)
        var written: Int32 = 0
        let ok = encrypting
            ? EVP_EncryptUpdate(raw, &output, &written, input, Int32(input.count))
            : EVP_DecryptUpdate(raw, &output, &written, input, Int32(input.count))
        guard ok == 1 else { throw CryptoError.library(encrypting ? "EVP_EncryptUpdate" : "EVP_DecryptUpdate") }
        return Array(output.prefix(Int(written)))
    }
}

extension Array where Element == UInt8 {
    /// Overwrites the bytes with zeros before the array is dropped (best effort: earlier copies
    /// made by Swift's copy-on-write are not reached).
    mutating func resetBytes() {
        for index in indices { self[index] = 0 }
    }
}
