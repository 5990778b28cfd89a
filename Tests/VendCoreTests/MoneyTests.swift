import Foundation
import Testing
@testable import VendCore

struct MoneyTextTests {
    @Test(arguments: [("50", "50.00"), ("3.5", "3.50"), ("0", "0.00"), ("0.005", "0.01"), ("0.004", "0.00"),
                      ("-1.5", "-1.50"), ("1234567.891", "1234567.89"), ("0.1", "0.10"), ("99999999999.999", "100000000000.00")])
    func formatsTwoDecimals(input: String, expected: String) {
        #expect(MoneyText.format(Decimal(string: input)!) == expected)
    }

    @Test func sumsAreExactWhereDoublesAreNot() {
        let tenth = Decimal(string: "0.1")!
        #expect(MoneyText.format(tenth + tenth + tenth) == "0.30")
        #expect(tenth + tenth + tenth == Decimal(string: "0.3")!)
        #expect(0.1 + 0.1 + 0.1 != 0.3)  // the reason money is never a Double
    }

    @Test func parsesPlainNumbersOnly() {
        #expect(MoneyText.parse("50.00") == 50)
        #expect(MoneyText.parse("10") == 10)
        for bad in ["", "1e3", " 5", "5 ", "+5", "5.", ".5", "0x10", "1,000", "NaN", String(repeating: "9", count: 41)] {
            #expect(MoneyText.parse(bad) == nil, "\(bad)")
        }
    }
}

struct VendAmountRulesTests {
    let rules = VendAmountRules()

    @Test func acceptsWholeAmountsFromTheMinimumToTheMaximum() {
        #expect(rules.check(10) == .success(10))
        #expect(rules.check(Decimal(string: "50.00")!) == .success(50))
        #expect(rules.check(5_000) == .success(5_000))
    }

    @Test func refusesFractionsWithTheSeedsMessageRatherThanRounding() {
        for text in ["50.5", "10.01", "9.99", "10.000000000000000001"] {
            #expect(rules.check(Decimal(string: text)!) == .failure(.requiredFieldsOrInteger), "\(text)")
        }
        #expect(VendRefusal.requiredFieldsOrInteger.message == "Please provide required fields or provide amount as interger.")
    }

    @Test func refusesAmountsOutsideTheLimitsWithTheLimitInTheMessage() {
        #expect(rules.check(9) == .failure(.amountBelowMinimum(minimum: "10.00")))
        #expect(rules.check(-50) == .failure(.amountBelowMinimum(minimum: "10.00")))
        #expect(rules.check(5_001) == .failure(.amountAboveMaximum(maximum: "5000.00")))
        #expect(VendRefusal.amountBelowMinimum(minimum: "10.00").message == "The amount must be at least 10.00.")
    }
}

struct STSTokenCodeTests {
    @Test func groupsInFoursAndKeepsTheDigitsOutOfDescriptions() throws {
        let code = try #require(STSTokenCode("38710157931285535068"))
        #expect(code.grouped == "3871 0157 9312 8553 5068")
        #expect(code.isStandardLength)
        #expect(STSTokenCode("3871 0157 9312 8553 5068") == code)
        #expect(!"\(code)".contains("3871"))
        #expect(!String(reflecting: code).contains("0157"))
        #expect(STSTokenCode("3871 0157 9312 8553 5068r") == nil)
        #expect(STSTokenCode("") == nil)
        #expect(STSTokenCode("8675 7587 7584 6834")?.isStandardLength == false)
    }
}
