import Testing
@testable import Crypto

/// Known answers from McGrew & Viega, "The Galois/Counter Mode of Operation (GCM)", Appendix B,
/// test cases 13–16 (the 256-bit key cases).
struct AESGCMTests {
    struct Vector: Sendable, CustomTestStringConvertible {
        let name: String, key: String, iv: String, plaintext: String, aad: String, ciphertext: String, tag: String
        var testDescription: String { name }
    }

    static let key15 = "feffe9928665731c6d6a8f9467308308 feffe9928665731c6d6a8f9467308308"
    static let vectors: [Vector] = [
        Vector(name: "GCM test case 13", key: String(repeating: "00", count: 32), iv: String(repeating: "00", count: 12),
               plaintext: "", aad: "", ciphertext: "", tag: "530f8afbc74536b9a963b4f1c4cb738b"),
        Vector(name: "GCM test case 14", key: String(repeating: "00", count: 32), iv: String(repeating: "00", count: 12),
               plaintext: String(repeating: "00", count: 16), aad: "",
               ciphertext: "cea7403d4d606b6e074ec5d3baf39d18", tag: "d0d1c8a799996bf0265b98b5d48ab919"),
        Vector(name: "GCM test case 15", key: key15, iv: "cafebabefacedbaddecaf888",
               plaintext: """
                   d9313225f88406e5a55909c5aff5269a 86a7a9531534f7da2e4c303d8a318a72
                   1c3c0c95956809532fcf0e2449a6b525 b16aedf5aa0de657ba637b391aafd255
                   """,
               aad: "",
               ciphertext: """
                   522dc1f099567d07f47f37a32a84427d 643a8cdcbfe5c0c97598a2bd2555d1aa
                   8cb08e48590dbb3da7b08b1056828838 c5f61e6393ba7a0abcc9f662898015ad
                   """,
               tag: "b094dac5d93471bdec1a502270e3cc6c"),
        Vector(name: "GCM test case 16", key: key15, iv: "cafebabefacedbaddecaf888",
               plaintext: """
                   d9313225f88406e5a55909c5aff5269a 86a7a9531534f7da2e4c303d8a318a72
                   1c3c0c95956809532fcf0e2449a6b525 b16aedf5aa0de657ba637b39
                   """,
               aad: "feedfacedeadbeeffeedfacedeadbeef abaddad2",
               ciphertext: """
                   522dc1f099567d07f47f37a32a84427d 643a8cdcbfe5c0c97598a2bd2555d1aa
                   8cb08e48590dbb3da7b08b1056828838 c5f61e6393ba7a0abcc9f662
                   """,
               tag: "76fc6ece0f4e1768cddf8853bb2d551b"),
    ]

    @Test(arguments: vectors)
    func sealMatchesTheNISTVector(vector: Vector) throws {
        let box = try AESGCM.seal(bytes(vector.plaintext), key: bytes(vector.key), nonce: bytes(vector.iv), aad: bytes(vector.aad))
        #expect(Hex.encode(box.ciphertext) == Hex.encode(bytes(vector.ciphertext)))
        #expect(Hex.encode(box.tag) == vector.tag)
        #expect(box.nonce == bytes(vector.iv))
    }

    @Test(arguments: vectors)
    func openMatchesTheNISTVector(vector: Vector) throws {
        let box = try AESGCM.SealedBox(nonce: bytes(vector.iv), ciphertext: bytes(vector.ciphertext), tag: bytes(vector.tag))
        #expect(try AESGCM.open(box, key: bytes(vector.key), aad: bytes(vector.aad)) == bytes(vector.plaintext))
    }

    /// Flipping any one bit of ciphertext, tag, nonce or AAD must make `open` fail.
    @Test func tamperingWithTestCase16IsRejected() throws {
        let v = Self.vectors[3]
        let key = bytes(v.key), aad = bytes(v.aad)
        let box = try AESGCM.SealedBox(nonce: bytes(v.iv), ciphertext: bytes(v.ciphertext), tag: bytes(v.tag))

        var ciphertext = box.ciphertext
        ciphertext[17] ^= 0x04
        expectAuthenticationFailure { try AESGCM.open(AESGCM.SealedBox(nonce: box.nonce, ciphertext: ciphertext, tag: box.tag), key: key, aad: aad) }

        var tag = box.tag
        tag[15] ^= 0x80
        expectAuthenticationFailure { try AESGCM.open(AESGCM.SealedBox(nonce: box.nonce, ciphertext: box.ciphertext, tag: tag), key: key, aad: aad) }

        var nonce = box.nonce
        nonce[0] ^= 0x01
        expectAuthenticationFailure { try AESGCM.open(AESGCM.SealedBox(nonce: nonce, ciphertext: box.ciphertext, tag: box.tag), key: key, aad: aad) }

        var alteredAAD = aad
        alteredAAD[0] ^= 0x01
        expectAuthenticationFailure { try AESGCM.open(box, key: key, aad: alteredAAD) }
        expectAuthenticationFailure { try AESGCM.open(box, key: key, aad: []) }

        var otherKey = key
        otherKey[31] ^= 0x01
        expectAuthenticationFailure { try AESGCM.open(box, key: otherKey, aad: aad) }

        // Truncated ciphertext (last byte dropped) is refused too.
        expectAuthenticationFailure {
            try AESGCM.open(AESGCM.SealedBox(nonce: box.nonce, ciphertext: Array(box.ciphertext.dropLast()), tag: box.tag), key: key, aad: aad)
        }
    }

    @Test func randomNonceRoundTripAndCombinedLayout() throws {
        let key = try SecureRandom.bytes(count: 32)
        let message = Array("client secret".utf8)
        let first = try AESGCM.seal(message, key: key, aad: Array("ctx".utf8))
        let second = try AESGCM.seal(message, key: key, aad: Array("ctx".utf8))
        #expect(first.nonce != second.nonce)
        #expect(first.ciphertext != second.ciphertext)
        #expect(first.combined.count == 12 + message.count + 16)
        #expect(try AESGCM.open(combined: first.combined, key: key, aad: Array("ctx".utf8)) == message)
    }

    @Test func wrongLengthsAreRefused() throws {
        #expect(throws: CryptoError.self) { try AESGCM.seal([1], key: [UInt8](repeating: 0, count: 16)) }
        #expect(throws: CryptoError.self) { try AESGCM.seal([1], key: [UInt8](repeating: 0, count: 32), nonce: [0, 1, 2]) }
        #expect(throws: CryptoError.self) { try AESGCM.SealedBox(combined: [UInt8](repeating: 0, count: 27)) }
    }

    private func expectAuthenticationFailure(_ body: () throws -> [UInt8], sourceLocation: SourceLocation = #_sourceLocation) {
        do {
            let opened = try body()
            Issue.record("open succeeded on tampered input, returned \(opened.count) bytes", sourceLocation: sourceLocation)
        } catch let error as CryptoError {
            #expect(error.code == .authenticationFailed, sourceLocation: sourceLocation)
        } catch {
            Issue.record("unexpected error \(error)", sourceLocation: sourceLocation)
        }
    }
}

private func bytes(_ hex: String) -> [UInt8] { Hex.decode(hex)! }
