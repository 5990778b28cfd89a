import Testing
@testable import VendCore

/// The Luhn check digit of STS meter numbers, against published numbers and an independent
/// implementation.
struct LuhnTests {
    /// PrepaidPlus' sandbox meters (documentation/electricity.md) and the classic ISO/IEC 7812
    /// example 79927398713.
    @Test(arguments: [("04040404040", true), ("04040404453", true), ("04040406698", true), ("79927398713", true),
                      ("94949494949", false), ("12345678901", false), ("12345678903", true), ("79927398710", false)])
    func knownNumbers(number: String, valid: Bool) {
        #expect(Luhn.isValid(number) == valid)
    }

    /// The textbook algorithm written differently: double every second digit from the right by
    /// index arithmetic on the reversed digits, and sum digit-by-digit.
    private func reference(_ digits: [Int]) -> Bool {
        var total = 0
        for (index, digit) in digits.reversed().enumerated() {
            let value = index % 2 == 1 ? digit * 2 : digit
            total += value / 10 + value % 10
        }
        return total % 10 == 0
    }

    @Test func agreesWithAReferenceOnRandomNumbersAndCatchesEverySingleDigitError() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2_000 {
            let length = Bool.random(using: &generator) ? 10 : 12
            let payload = (0..<length).map { _ in Int.random(in: 0...9, using: &generator) }
            let text = payload.map(String.init).joined()
            let check = Luhn.checkDigit(for: text)!
            let full = payload + [check]
            #expect(reference(full))
            #expect(Luhn.isValid(text + String(check)))
            let position = Int.random(in: 0..<full.count, using: &generator)
            var altered = full
            altered[position] = (altered[position] + Int.random(in: 1...9, using: &generator)) % 10
            #expect(!Luhn.isValid(altered.map(String.init).joined()))
            #expect(Luhn.isValid(altered.map(String.init).joined()) == reference(altered))
        }
    }

    @Test func refusesWhatIsNotDigits() {
        #expect(!Luhn.isValid(""))
        #expect(!Luhn.isValid("0404040404O"))
        #expect(!Luhn.isValid("٠٤٠٤"))  // Arabic-Indic digits are not ASCII digits
        #expect(Luhn.checkDigit(for: "12a") == nil)
    }
}

struct STSMeterNumberTests {
    @Test(arguments: ["0404040404", "040404040400", "04040404040000", "", "0404040404 0", "+4040404040"])
    func wrongLengthOrCharactersIsAFormatProblem(text: String) {
        #expect(STSMeterNumber.parse(text) == .failure(.init(problem: .format)))
    }

    @Test func elevenAndThirteenDigitsWithTheirCheckDigitAreAccepted() throws {
        #expect(try STSMeterNumber.parse("04040404040").get().digits == "04040404040")
        let thirteen = "014040404040" + String(Luhn.checkDigit(for: "014040404040")!)
        #expect(try STSMeterNumber.parse(thirteen).get().digits == thirteen)
    }

    @Test func aWrongCheckDigitIsRefusedUnlessExemptByConfiguration() throws {
        #expect(STSMeterNumber.parse("12345678901") == .failure(.init(problem: .checkDigit)))
        #expect(try STSMeterNumber.parse("12345678901", luhnExempt: ["12345678901"]).get().digits == "12345678901")
        // An exemption does not relax the format.
        #expect(STSMeterNumber.parse("1234567890", luhnExempt: ["1234567890"]) == .failure(.init(problem: .format)))
    }
}
