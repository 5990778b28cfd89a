import Testing
@testable import Crypto

/// PBKDF2-HMAC-SHA256 known answers from RFC 7914 §11, and the stored-hash format around it.
struct PasswordHashTests {
    @Test func pbkdf2MatchesRFC7914WithOneIteration() throws {
        let derived = try PBKDF2.sha256(password: Array("passwd".utf8), salt: Array("salt".utf8), iterations: 1, keyLength: 64)
        #expect(derived == Hex.decode("""
            55 ac 04 6e 56 e3 08 9f ec 16 91 c2 25 44 b6 05
            f9 41 85 21 6d de 04 65 e6 8b 9d 57 c2 0d ac bc
            49 ca 9c cc f1 79 b6 45 99 16 64 b3 9d 77 ef 31
            7c 71 b8 45 b1 e3 0b d5 09 11 20 41 d3 a1 97 83
            """))
    }

    @Test func pbkdf2MatchesRFC7914With80000Iterations() throws {
        let derived = try PBKDF2.sha256(password: Array("Password".utf8), salt: Array("NaCl".utf8), iterations: 80_000, keyLength: 64)
        #expect(derived == Hex.decode("""
            4d dc d8 f6 0b 98 be 21 83 0c ee 5e f2 27 01 f9
            64 1a 44 18 d0 4c 04 14 ae ff 08 87 6b 34 ab 56
            a1 d4 25 a1 22 58 33 54 9a db 84 1b 51 c9 b3 17
            6a 27 2b de bb a1 d0 78 47 8f 62 b3 97 f3 3c 8d
            """))
    }

    @Test func pbkdf2FirstBlockWithOneIterationIsTheHMACOfSaltAndCounter() throws {
        // RFC 8018: T_1 = U_1 = PRF(P, S || INT(1)); checks the wrapper against HMAC independently.
        let derived = try PBKDF2.sha256(password: Array("pw".utf8), salt: Array("NaCl".utf8), iterations: 1, keyLength: 32)
        #expect(derived == HMAC.sha256(key: Array("pw".utf8), message: Array("NaCl".utf8) + [0, 0, 0, 1]))
    }

    @Test func madeHashHasThePHCShapeAndVerifies() throws {
        let stored = try PasswordHash.make("correct horse", iterations: 1_000)
        let parts = stored.split(separator: "$", omittingEmptySubsequences: false)
        #expect(parts.count == 5)
        #expect(parts[1] == "pbkdf2-sha256")
        #expect(parts[2] == "i=1000")
        #expect(try PasswordHash.verify("correct horse", against: stored))
        #expect(try !PasswordHash.verify("correct horsE", against: stored))
        #expect(try !PasswordHash.verify("", against: stored))
        #expect(try PasswordHash.make("correct horse", iterations: 1_000) != stored)  // fresh salt each time
    }

    @Test func storedHashEqualsAnIndependentPBKDF2() throws {
        let stored = try PasswordHash.make("s3cret", iterations: 2)
        let parsed = try PasswordHash.parse(stored)
        let expected = try PBKDF2.sha256(password: Array("s3cret".utf8), salt: parsed.salt, iterations: 2, keyLength: 32)
        #expect(parsed.hash == expected)
        #expect(parsed.salt.count == 16)
    }

    @Test func defaultIterationCountIs600000() throws {
        let stored = try PasswordHash.make("default")
        #expect(stored.hasPrefix("$pbkdf2-sha256$i=600000$"))
        #expect(try PasswordHash.verify("default", against: stored))
        #expect(!PasswordHash.needsRehash(stored))
        #expect(PasswordHash.needsRehash(try PasswordHash.make("default", iterations: 10)))
    }

    @Test(arguments: [
        "", "plain", "$pbkdf2-sha1$i=10$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaA",
        "$pbkdf2-sha256$10$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaA",
        "$pbkdf2-sha256$i=0$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaA",
        "$pbkdf2-sha256$i=99999999999$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaA",
        "$pbkdf2-sha256$i=10$!!$aGFzaGhhc2hoYXNoaGFzaA",
        "$pbkdf2-sha256$i=10$c2FsdHNhbHRzYWx0$",
        "$pbkdf2-sha256$i=10$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaA$extra",
    ])
    func malformedStoredHashesThrow(stored: String) {
        #expect(throws: CryptoError.self) { try PasswordHash.verify("x", against: stored) }
    }
}
