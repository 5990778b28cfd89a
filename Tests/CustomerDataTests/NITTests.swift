import CustomerData
import Testing

/// NIT normalisation and DIAN's check digit, against published NITs.
struct NITTests {
    /// Published NITs with their check digits: DIAN 800.197.268-4, Bancolombia 890.903.938-8,
    /// Ecopetrol 899.999.068-1, Avianca 890.100.577-6 (as listed by their owners and in public
    /// validators' test suites), and 900.373.923-8 (eduardo-m88/colombia_nit_dv's spec).
    @Test(arguments: [("800197268", 4), ("890903938", 8), ("899999068", 1), ("890100577", 6), ("900373923", 8)])
    func checkDigitMatchesPublishedNITs(base: String, digit: Int) {
        #expect(NIT.checkDigit(of: base) == digit)
    }

    /// An independent computation: the weighted sum written out for 800197268 (DIAN), digit by digit
    /// from the right: 8·3 + 6·7 + 2·13 + 7·17 + 9·19 + 1·23 + 0·29 + 0·37 + 8·41 = 733;
    /// 733 mod 11 = 7; 11 - 7 = 4.
    @Test func weightedSumWrittenOut() {
        let products: [Int] = [8 * 3, 6 * 7, 2 * 13, 7 * 17, 9 * 19, 1 * 23, 0 * 29, 0 * 37, 8 * 41]
        let sum = products.reduce(0, +)
        #expect(sum == 733)
        #expect(sum % 11 == 7)
        #expect(NIT.checkDigit(of: "800197268") == 11 - 7)
    }

    /// Remainders 0 and 1 give the remainder itself as the digit.
    @Test func remaindersZeroAndOneAreTheDigit() {
        // "1": 1·3 = 3 → 8. "4": 4·3 = 12 → r 1 → 1. "11": 1·3 + 1·7 = 10 → 1. "0": r 0 → 0.
        #expect(NIT.checkDigit(of: "1") == 8)
        #expect(NIT.checkDigit(of: "4") == 1)
        #expect(NIT.checkDigit(of: "11") == 1)
        #expect(NIT.checkDigit(of: "0") == 0)
        // 15 digits use every weight: 111111111111111 → sum of the weights 529 → 529 mod 11 = 1.
        #expect(NIT.checkDigit(of: "111111111111111") == 1)
    }

    @Test(arguments: [
        ("900.373.923-8", "9003739238"), ("900373923-8", "9003739238"), (" 900 373 923 - 8 ", "9003739238"),
        ("900373923", "900373923"), ("800.197.268-4", "8001972684"), ("1.020.304", "1020304"),
    ])
    func normalises(raw: String, normalized: String) throws {
        #expect(try NIT.parse(raw).get().normalized == normalized)
    }

    @Test func aCheckDigitCountsOnlyAfterAHyphen() throws {
        let bare = try NIT.parse("9003739238").get()
        #expect(bare.checkDigit == nil)
        #expect(bare.base == "9003739238")
        let given = try NIT.parse("900373923-8").get()
        #expect(given.checkDigit == 8)
        #expect(given.base == "900373923")
    }

    @Test(arguments: [
        ("", NIT.Problem.empty), (" . ", .empty), ("90037A923", .invalidCharacters), ("900373923-", .invalidCharacters),
        ("900373923-81", .invalidCharacters), ("900-373-923", .invalidCharacters), ("-8", .invalidCharacters),
        ("12", .length(2)), ("1234567890123456", .length(16)),
        ("900373923-7", .wrongCheckDigit(given: 7, expected: 8, base: "900373923")),
        ("890.903.938-0", .wrongCheckDigit(given: 0, expected: 8, base: "890903938")),
    ])
    func refuses(raw: String, problem: NIT.Problem) {
        #expect(NIT.parse(raw) == .failure(problem))
    }
}
