/// Secrets at rest, sealed with AES-256-GCM under one of several named keys so that keys can be
/// rotated: the current key seals, every listed key opens.
///
/// A sealed secret is a self-describing text token, `v1.<keyID>.<base64url(nonce|ciphertext|tag)>`
/// (unpadded URL-safe base64, so the token is safe in JSON, SQL text columns and URLs). The key id
/// travels beside the ciphertext, so `open` picks the right key; it is also bound into the
/// associated data (`tradingd.secretbox.v1.<keyID>.<context>`), so moving a ciphertext under
/// another key id, or into another context, fails authentication instead of decrypting.
///
/// Key ids are 1–32 characters of `A-Z a-z 0-9 _ -`. When a key is given without an id (as
/// `TRADINGD_SECRET_KEY` normally is), its id is derived: the first 4 bytes of SHA-256 of the key,
/// as 8 hex characters. That is stable for the same key, needs no extra configuration, and reveals
/// nothing usable about a 256-bit random key.
///
/// Rotation: put the new key first and keep the old ones listed (`TRADINGD_SECRET_KEY=new,old`);
/// tokens sealed under old keys still open, `needsReseal` tells which ones to rewrite, and
/// `reseal` rewrites one under the current key. Drop an old key once nothing uses it.
public struct Keyring: Sendable {
    /// The id of the key that `seal` uses.
    public let currentKeyID: String
    private let keys: [String: [UInt8]]
    static let version = "v1"

    /// - Parameters:
    ///   - current: the id of the sealing key; must be one of `keys`.
    ///   - keys: every key that may open a token, each exactly 32 bytes.
    /// - Throws: `.invalidKeyring` naming the problem (never the key bytes).
    public init(current: String, keys: [String: [UInt8]]) throws {
        guard !keys.isEmpty else { throw CryptoError(.invalidKeyring, "the keyring holds no keys") }
        for (id, key) in keys {
            guard Self.isValidKeyID(id) else {
                throw CryptoError(.invalidKeyring, "key id '\(id)' must be 1-32 characters of A-Z a-z 0-9 _ -")
            }
            guard key.count == AESGCM.keyByteCount else {
                throw CryptoError(.invalidKeyring, "key '\(id)' must be \(AESGCM.keyByteCount) bytes, got \(key.count)")
            }
        }
        guard keys[current] != nil else {
            throw CryptoError(.invalidKeyring, "the current key id '\(current)' is not among the keys")
        }
        self.currentKeyID = current
        self.keys = keys
    }

    /// A keyring of one key given as base64 of exactly 32 bytes (the `TRADINGD_SECRET_KEY` form).
    /// - Parameter keyID: the id to store with tokens; `nil` derives it (`derivedKeyID(for:)`).
    public init(base64Key: String, keyID: String? = nil) throws {
        let key = try Self.decodeKey(base64Key, position: 1)
        let id = keyID ?? Self.derivedKeyID(for: key)
        try self.init(current: id, keys: [id: key])
    }

    /// A keyring from several keys, the first being current. Each entry is `base64` (id derived)
    /// or `id:base64` (id given; base64 never contains `:`).
    public init(base64Keys entries: [String]) throws {
        guard !entries.isEmpty else { throw CryptoError(.invalidKeyring, "no keys given") }
        var keys: [String: [UInt8]] = [:]
        var current: String?
        for (index, entry) in entries.enumerated() {
            let trimmed = entry.trimmingWhitespace()
            let id: String?
            let text: String
            if let colon = trimmed.firstIndex(of: ":") {
                id = String(trimmed[..<colon])
                text = String(trimmed[trimmed.index(after: colon)...])
            } else {
                id = nil
                text = trimmed
            }
            let key = try Self.decodeKey(text, position: index + 1)
            let keyID = id ?? Self.derivedKeyID(for: key)
            guard keys[keyID] == nil else {
                throw CryptoError(.invalidKeyring, "key id '\(keyID)' appears twice (key \(index + 1))")
            }
            keys[keyID] = key
            if current == nil { current = keyID }
        }
        try self.init(current: current!, keys: keys)
    }

    /// Parses a `TRADINGD_SECRET_KEY` value: one key, or a comma-separated list with the current
    /// key first (see `init(base64Keys:)`).
    public init(environmentValue: String) throws {
        let entries = environmentValue.split(separator: ",").map(String.init).filter { !$0.trimmingWhitespace().isEmpty }
        try self.init(base64Keys: entries)
    }

    /// Every key id that can open tokens, sorted.
    public var keyIDs: [String] { keys.keys.sorted() }

    /// The id derived for a key given without one: hex of the first 4 bytes of its SHA-256.
    public static func derivedKeyID(for key: [UInt8]) -> String {
        Hex.encode(SHA256.hash(key).prefix(4))
    }

    /// Seals `secret` under the current key.
    /// - Parameter context: optional text that must be given again to open (for example
    ///   `"org:<id>/esmClientSecret"`), so a token copied into another row does not open there.
    public func seal(_ secret: String, context: String = "") throws -> String {
        try seal(bytes: Array(secret.utf8), context: context)
    }

    /// Seals raw bytes under the current key; see `seal(_:context:)`.
    public func seal(bytes: [UInt8], context: String = "") throws -> String {
        let id = currentKeyID
        let box = try AESGCM.seal(bytes, key: keys[id]!, aad: Self.associatedData(keyID: id, context: context))
        return "\(Self.version).\(id).\(Base64Text.encodeURL(box.combined))"
    }

    /// Opens a token sealed by any key of this keyring.
    /// - Throws: `.malformedInput` for a token not in the `v1.<keyID>.<data>` form or not UTF-8;
    ///   `.unknownKeyID` when its key is not in the keyring; `.authenticationFailed` when it was
    ///   altered or the `context` differs.
    public func open(_ token: String, context: String = "") throws -> String {
        var bytes = try openBytes(token, context: context)
        defer { bytes.resetBytes() }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw CryptoError(.malformedInput, "sealed secret is not UTF-8 text")
        }
        return text
    }

    /// Opens a token to raw bytes; see `open(_:context:)`.
    public func openBytes(_ token: String, context: String = "") throws -> [UInt8] {
        let (id, sealed) = try Self.split(token)
        guard let key = keys[id] else {
            throw CryptoError(.unknownKeyID, "sealed secret uses key id '\(id)', which is not configured (known: \(keyIDs.joined(separator: ", ")))")
        }
        return try AESGCM.open(combined: sealed, key: key, aad: Self.associatedData(keyID: id, context: context))
    }

    /// The key id a token names, or `nil` when it is not a token of this format.
    public static func keyID(ofToken token: String) -> String? {
        try? split(token).keyID
    }

    /// Whether a token was sealed under a key other than the current one.
    public func needsReseal(_ token: String) -> Bool {
        Self.keyID(ofToken: token) != currentKeyID
    }

    /// Opens `token` and seals its content again under the current key.
    public func reseal(_ token: String, context: String = "") throws -> String {
        var bytes = try openBytes(token, context: context)
        defer { bytes.resetBytes() }
        return try seal(bytes: bytes, context: context)
    }

    private static func split(_ token: String) throws -> (keyID: String, sealed: [UInt8]) {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == version else {
            throw CryptoError(.malformedInput, "sealed secret is not in the \(version).<keyId>.<data> format")
        }
        let id = String(parts[1])
        guard isValidKeyID(id) else { throw CryptoError(.malformedInput, "sealed secret has an invalid key id") }
        guard let sealed = Base64Text.decodeURL(String(parts[2])) else {
            throw CryptoError(.malformedInput, "sealed secret data is not unpadded base64url")
        }
        return (id, sealed)
    }

    private static func associatedData(keyID: String, context: String) -> [UInt8] {
        Array("tradingd.secretbox.\(version).\(keyID).\(context)".utf8)
    }

    private static func decodeKey(_ text: String, position: Int) throws -> [UInt8] {
        guard let key = Base64Text.decodeStandard(text) else {
            throw CryptoError(.invalidKeyring, "key \(position) is not valid base64")
        }
        guard key.count == AESGCM.keyByteCount else {
            throw CryptoError(.invalidKeyring, "key \(position) must decode to exactly \(AESGCM.keyByteCount) bytes, got \(key.count)")
        }
        return key
    }

    static func isValidKeyID(_ id: String) -> Bool {
        (1...32).contains(id.utf8.count) && id.utf8.allSatisfy { c in
            switch c {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), UInt8(ascii: "-"):
                return true
            default:
                return false
            }
        }
    }
}

/// The name the design uses for sealing secrets at rest.
public typealias SecretBox = Keyring

extension Keyring: CustomStringConvertible, CustomReflectable {
    /// Names the key ids only, so printing or dumping a keyring never shows key bytes.
    public var description: String { "Keyring(current: \(currentKeyID), keys: [\(keyIDs.joined(separator: ", "))])" }
    public var customMirror: Mirror { Mirror(self, children: ["currentKeyID": currentKeyID, "keyIDs": keyIDs]) }
}

extension String {
    func trimmingWhitespace() -> String {
        var scalars = Substring(self)
        while let first = scalars.first, first.isWhitespace { scalars.removeFirst() }
        while let last = scalars.last, last.isWhitespace { scalars.removeLast() }
        return String(scalars)
    }
}
