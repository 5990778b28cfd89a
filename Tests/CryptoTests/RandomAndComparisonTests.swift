import Testing
@testable import Crypto

struct RandomAndComparisonTests {
    @Test func randomBytesHaveTheRequestedLengthAndDiffer() throws {
        #expect(try SecureRandom.bytes(count: 0).isEmpty)
        let a = try SecureRandom.bytes(count: 32)
        let b = try SecureRandom.bytes(count: 32)
        #expect(a.count == 32)
        #expect(a != b)   // a collision has probability 2^-256
        #expect(a != [UInt8](repeating: 0, count: 32))
    }

    @Test func constantTimeEqualityAgreesWithOrdinaryEquality() throws {
        let a = try SecureRandom.bytes(count: 48)
        var b = a
        #expect(ConstantTime.equals(a, b))
        for index in [0, 23, 47] {
            b = a
            b[index] ^= 0x01
            #expect(!ConstantTime.equals(a, b))
        }
        #expect(ConstantTime.equals([], []))
        #expect(!ConstantTime.equals([1, 2, 3], [1, 2]))
        #expect(!ConstantTime.equals([1, 2], [1, 2, 3]))
        #expect(ConstantTime.equals("token", "token"))
        #expect(!ConstantTime.equals("token", "tokeN"))
    }
}
