import Testing
@testable import Crypto

/// Known answers from FIPS 180-2 Appendix B (SHA-256) and RFC 4231 §4.2–4.5 (HMAC-SHA256).
struct DigestTests {
    @Test func sha256OfAbcMatchesFIPS180() {
        #expect(SHA256.hexHash("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    @Test func sha256OfEmptyMessage() {
        #expect(SHA256.hexHash("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(SHA256.hash([]).count == 32)
    }

    @Test func sha256OfThe448BitMessageMatchesFIPS180() {
        let message = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"
        #expect(message.utf8.count * 8 == 448)
        #expect(SHA256.hexHash(message) == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
    }

    @Test func sha256OfAMillionAs() {
        // FIPS 180-2 Appendix B.3: one million repetitions of "a".
        let message = [UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000)
        #expect(SHA256.hexHash(message) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    struct HMACVector: Sendable, CustomTestStringConvertible {
        let name: String, key: [UInt8], data: [UInt8], mac: String
        var testDescription: String { name }
    }

    static let rfc4231: [HMACVector] = [
        HMACVector(name: "RFC 4231 case 1", key: [UInt8](repeating: 0x0b, count: 20), data: Array("Hi There".utf8),
                   mac: "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"),
        HMACVector(name: "RFC 4231 case 2", key: Array("Jefe".utf8), data: Array("what do ya want for nothing?".utf8),
                   mac: "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"),
        HMACVector(name: "RFC 4231 case 3", key: [UInt8](repeating: 0xaa, count: 20), data: [UInt8](repeating: 0xdd, count: 50),
                   mac: "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"),
        HMACVector(name: "RFC 4231 case 4", key: Array(1...25), data: [UInt8](repeating: 0xcd, count: 50),
                   mac: "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b"),
    ]

    @Test(arguments: rfc4231)
    func hmacSHA256MatchesRFC4231(vector: HMACVector) {
        #expect(Hex.encode(HMAC.sha256(key: vector.key, message: vector.data)) == vector.mac)
    }

    @Test func hmacWithEmptyKeyEqualsTheDefinition() {
        // HMAC(K = "", m) = H((0^64 xor opad) || H((0^64 xor ipad) || m)): computed independently here.
        let message = Array("message".utf8)
        let inner = SHA256.hash([UInt8](repeating: 0x36, count: 64) + message)
        let expected = SHA256.hash([UInt8](repeating: 0x5c, count: 64) + inner)
        #expect(HMAC.sha256(key: [], message: message) == expected)
    }

    @Test func hexRoundTripsAndRejectsBadText() {
        #expect(Hex.decode("00ff10Ab") == [0x00, 0xff, 0x10, 0xab])
        #expect(Hex.encode([0x00, 0xff, 0x10, 0xab]) == "00ff10ab")
        #expect(Hex.decode("abc") == nil)
        #expect(Hex.decode("zz") == nil)
    }
}
