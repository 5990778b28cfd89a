import Foundation
import Testing
@testable import Crypto

struct KeyringTests {
    static let keyA = [UInt8](repeating: 0xa1, count: 32)
    static let keyB = [UInt8](repeating: 0xb2, count: 32)

    @Test func sealOpenRoundTripWithTheDocumentedTokenShape() throws {
        let ring = try Keyring(current: "2026-a", keys: ["2026-a": Self.keyA])
        let token = try ring.seal("client-secret-123")
        let parts = token.split(separator: ".")
        #expect(parts.count == 3)
        #expect(parts[0] == "v1")
        #expect(parts[1] == "2026-a")
        #expect(!token.contains("client-secret"))
        #expect(try ring.open(token) == "client-secret-123")
        #expect(try ring.seal("client-secret-123") != token)   // random nonce
    }

    @Test func tokenPayloadIsNonceCiphertextTagUnderTheKeyIDBoundAAD() throws {
        // Opens the token by hand with AESGCM and the documented AAD: the format is what the docs say.
        let ring = try Keyring(current: "k1", keys: ["k1": Self.keyA])
        let token = try ring.seal("hello", context: "org:7")
        let payload = String(token.split(separator: ".")[2])
        let standard = payload.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        let padded = standard + String(repeating: "=", count: (4 - standard.count % 4) % 4)
        let combined = [UInt8](try #require(Data(base64Encoded: padded)))
        #expect(combined.count == 12 + 5 + 16)
        let opened = try AESGCM.open(combined: combined, key: Self.keyA, aad: Array("tradingd.secretbox.v1.k1.org:7".utf8))
        #expect(opened == Array("hello".utf8))
    }

    @Test func rotationOpensOldTokensAndSealsWithTheCurrentKey() throws {
        let old = try Keyring(current: "old", keys: ["old": Self.keyA])
        let oldToken = try old.seal("secret")
        let rotated = try Keyring(current: "new", keys: ["old": Self.keyA, "new": Self.keyB])
        #expect(try rotated.open(oldToken) == "secret")
        #expect(rotated.needsReseal(oldToken))
        let newToken = try rotated.seal("secret")
        #expect(Keyring.keyID(ofToken: newToken) == "new")
        #expect(!rotated.needsReseal(newToken))
        let resealed = try rotated.reseal(oldToken)
        #expect(Keyring.keyID(ofToken: resealed) == "new")
        #expect(try rotated.open(resealed) == "secret")
        #expect(rotated.keyIDs == ["new", "old"])
        // Once the old key is dropped, its tokens are an unknown key id, not garbage.
        let newOnly = try Keyring(current: "new", keys: ["new": Self.keyB])
        #expect(throws: CryptoError(.unknownKeyID, "sealed secret uses key id 'old', which is not configured (known: new)")) {
            try newOnly.open(oldToken)
        }
    }

    @Test func unknownKeyIDIsAClearError() throws {
        let ring = try Keyring(current: "a", keys: ["a": Self.keyA])
        let other = try Keyring(current: "b", keys: ["b": Self.keyB])
        let error = try #require(throws: CryptoError.self) { try ring.open(other.seal("x")) }
        #expect(error.code == .unknownKeyID)
        #expect(error.detail.contains("'b'"))
    }

    @Test func relabellingTheKeyIDOrAlteringTheTokenFailsAuthentication() throws {
        // Same key under two ids: moving a token to the other id must fail because the id is in the AAD.
        let ring = try Keyring(current: "a", keys: ["a": Self.keyA, "b": Self.keyA])
        let token = try ring.seal("secret")
        let relabelled = token.replacingOccurrences(of: "v1.a.", with: "v1.b.")
        #expect(try #require(throws: CryptoError.self) { try ring.open(relabelled) }.code == .authenticationFailed)

        // A character in the middle of the payload carries six full bits of ciphertext.
        var chars = Array(token)
        let middle = "v1.a.".count + 20
        chars[middle] = chars[middle] == "A" ? "B" : "A"
        #expect(try #require(throws: CryptoError.self) { try ring.open(String(chars)) }.code == .authenticationFailed)

        #expect(try #require(throws: CryptoError.self) { try ring.open(token, context: "other") }.code == .authenticationFailed)
    }

    @Test func nonCanonicalBase64IsRefusedSoATokenHasOneSpelling() throws {
        let ring = try Keyring(current: "a", keys: ["a": Self.keyA])
        // 12 + 6 + 16 = 34 bytes: 46 characters whose last one carries 4 unused bits.
        let token = try ring.seal("secret")
        #expect(token.count == "v1.a.".count + 46)
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
        let last = try #require(alphabet.firstIndex(of: token.last!))
        let sibling = String(token.dropLast()) + String(alphabet[last ^ 1])   // same 2 data bits, one unused bit set
        let error = try #require(throws: CryptoError.self) { try ring.open(sibling) }
        #expect(error.code == .malformedInput)
    }

    @Test(arguments: ["", "v1.a", "v2.a.AAAA", "v1..AAAA", "v1.a.b.c", "v1.a.***", "v1.a.AAAA", "v1.a b.AAAA"])
    func malformedTokensAreRefused(token: String) throws {
        let ring = try Keyring(current: "a", keys: ["a": Self.keyA])
        #expect(throws: CryptoError.self) { try ring.open(token) }
    }

    @Test func base64KeyDerivesItsIDFromSHA256() throws {
        let base64 = Data(Self.keyA).base64EncodedString()
        let ring = try Keyring(base64Key: base64)
        #expect(ring.currentKeyID == Hex.encode(SHA256.hash(Self.keyA).prefix(4)))
        #expect(ring.currentKeyID.count == 8)
        #expect(try Keyring(base64Key: base64, keyID: "prod1").currentKeyID == "prod1")
        #expect(try ring.open(ring.seal("v")) == "v")
    }

    @Test func environmentValueListsCurrentKeyFirstThenOldKeys() throws {
        let a = Data(Self.keyA).base64EncodedString(), b = Data(Self.keyB).base64EncodedString()
        let ring = try Keyring(environmentValue: " \(b) , old:\(a) ")
        #expect(ring.currentKeyID == Keyring.derivedKeyID(for: Self.keyB))
        #expect(ring.keyIDs.contains("old"))
        let oldToken = try Keyring(current: "old", keys: ["old": Self.keyA]).seal("s")
        #expect(try ring.open(oldToken) == "s")
    }

    @Test(arguments: ["", "not base64!", "AAAA", Data(repeating: 1, count: 31).base64EncodedString(),
                      Data(repeating: 1, count: 33).base64EncodedString()])
    func badKeyTextIsRefused(text: String) {
        #expect(throws: CryptoError.self) { try Keyring(environmentValue: text) }
    }

    @Test func invalidKeyringsAreRefused() {
        #expect(throws: CryptoError.self) { try Keyring(current: "a", keys: [:]) }
        #expect(throws: CryptoError.self) { try Keyring(current: "a", keys: ["b": Self.keyA]) }
        #expect(throws: CryptoError.self) { try Keyring(current: "a.b", keys: ["a.b": Self.keyA]) }
        #expect(throws: CryptoError.self) { try Keyring(current: "a", keys: ["a": [1, 2, 3]]) }
        let a = Data(Self.keyA).base64EncodedString()
        #expect(throws: CryptoError.self) { try Keyring(environmentValue: "\(a),\(a)") }
    }

    @Test func describingAKeyringNeverShowsKeyBytes() throws {
        let ring = try Keyring(current: "a", keys: ["a": Self.keyA])
        var dumped = ""
        dump(ring, to: &dumped)
        for text in [String(describing: ring), String(reflecting: ring), dumped] {
            #expect(!text.contains("161"))   // 0xa1
            #expect(text.contains("a"))
        }
    }
}
