import ExactJSON
import Foundation
import Testing

/// The strict parser: what it accepts, what it keeps exactly, and what it refuses (with where).
struct ExactJSONParserTests {
    @Test func keepsNumbersAsWritten() throws {
        let document = try ExactJSON.parse(#"{"a": 14.150, "b": -0.30000000000000004, "c": 1E2, "d": 0}"#)
        let object = try #require(document.objectValue)
        #expect(object["a"]?.numberValue?.literal == "14.150")
        #expect(object["b"]?.numberValue?.decimal == Decimal(string: "-0.30000000000000004"))
        #expect(object["c"]?.numberValue?.decimal == 100)
        #expect(object["d"]?.numberValue?.decimal == 0)
        #expect(object.keys == ["a", "b", "c", "d"])
    }

    @Test func decimalIsExactWhereDoubleIsNot() throws {
        let number = try #require(try ExactJSON.parse("0.1").numberValue?.decimal)
        let sum = number + (try #require(try ExactJSON.parse("0.2").numberValue?.decimal))
        #expect(sum == Decimal(string: "0.3"))
        #expect(0.1 + 0.2 != 0.3)  // the reason this parser exists
    }

    @Test(arguments: [
        ("14.15", 2, 2, false), ("14.150", 2, 2, false), ("1.5e3", 0, 4, true), ("25e-1", 1, 1, false), ("0.5", 1, 0, false),
        ("3", 0, 1, true), ("3.0", 0, 1, true), ("-12", 0, 2, true), ("0", 0, 0, true), ("1572423477", 0, 10, true),
        ("1e-7", 7, 0, false),
    ])
    func digitCounts(literal: String, fraction: Int, integer: Int, isInteger: Bool) throws {
        let number = try #require(try ExactJSON.parse(literal).numberValue)
        #expect(number.fractionDigits == fraction)
        #expect(number.integerDigits == integer)
        #expect(number.isInteger == isInteger)
    }

    @Test func numbersBeyondDecimalHaveNoDecimalValue() throws {
        #expect(try ExactJSON.parse("1e400").numberValue?.decimal == nil)
        #expect(try ExactJSON.parse("123456789012345678901234567890123456789").numberValue?.decimal == nil)  // 39 digits
        #expect(try ExactJSON.parse("12345678901234567890123456789012345678").numberValue?.decimal != nil)  // 38
    }

    @Test func decodesStringEscapesAndUnicode() throws {
        let text = try ExactJSON.parse(#""a\"b\\c\/d\n\t\u00e9\ud83d\ude00 ñ""#).stringValue
        #expect(text == "a\"b\\c/d\n\té😀 ñ")
    }

    @Test(arguments: [
        ("", JSONSyntaxError.Reason.empty),
        ("{", .unexpectedEnd),
        (#"{"a":1,}"#, .unexpectedCharacter("'}'")),
        (#"{"a":1 "b":2}"#, .unexpectedCharacter("'\"'")),
        ("[1,2", .unexpectedEnd),
        ("01", .trailingContent),
        ("1.", .invalidNumber),
        ("-", .invalidNumber),
        ("1e", .invalidNumber),
        ("+1", .unexpectedCharacter("'+'")),
        ("NaN", .unexpectedCharacter("'N'")),
        (#"{"a":1,"a":2}"#, .duplicateKey("a")),
        (#""\u0000""#, .nulInString),
        (#""\x""#, .invalidEscape),
        (#""\ud83d""#, .invalidUnicode),
        ("\"a\u{01}\"", .controlCharacterInString),
        ("tru", .unexpectedEnd),
        ("{} {}", .trailingContent),
    ])
    func refuses(text: String, reason: JSONSyntaxError.Reason) {
        #expect(throws: JSONSyntaxError.self) { try ExactJSON.parse(text) }
        do {
            _ = try ExactJSON.parse(text)
        } catch {
            #expect(error.reason == reason)
        }
    }

    @Test func refusesInvalidUTF8() {
        for bytes: [UInt8] in [[0x22, 0xC3, 0x22], [0x22, 0xC0, 0xAF, 0x22], [0x22, 0xED, 0xA0, 0x80, 0x22], [0x22, 0xFF, 0x22]] {
            #expect(throws: JSONSyntaxError(reason: .invalidUnicode, offset: 1)) { try ExactJSON.parse(bytes) }
        }
    }

    @Test func refusesDeepNesting() throws {
        let deep = String(repeating: "[", count: 65) + String(repeating: "]", count: 65)
        #expect(throws: JSONSyntaxError(reason: .tooDeep(64), offset: 64)) { try ExactJSON.parse(deep) }
        let fine = String(repeating: "[", count: 64) + String(repeating: "]", count: 64)
        _ = try ExactJSON.parse(fine)
    }

    @Test func reportsTheOffsetOfTheProblem() {
        #expect(throws: JSONSyntaxError(reason: .duplicateKey("k"), offset: 9)) { try ExactJSON.parse(#"{"k": 1, "k": 2}"#) }
    }

    /// The parser agrees with Foundation's on valid documents (an independent implementation).
    @Test func agreesWithFoundationOnValidDocuments() throws {
        let documents = [
            #"{"user_id":"3f1c","history":[{"nit":"900.373.923-8","monto":15.19,"fecha":"2024-03-15","emc":"Postobón"}]}"#,
            #"[true,false,null,{"x":[1,2,{"y":"z\n\u00e9"}]},"\ud83d\ude00",-1.5e-3, 0.25]"#,
        ]
        for document in documents {
            let ours = foundationValue(try ExactJSON.parse(document))
            let theirs = try JSONSerialization.jsonObject(with: Data(document.utf8), options: [.fragmentsAllowed])
            #expect(NSArray(array: [ours]).isEqual(NSArray(array: [theirs])))
        }
    }

    private func foundationValue(_ value: ExactJSON) -> Any {
        switch value {
        case .null: NSNull()
        case .bool(let flag): NSNumber(value: flag)
        case .number(let number): NSNumber(value: Double(number.literal)!)
        case .string(let text): text
        case .array(let elements): elements.map(foundationValue)
        case .object(let object): Dictionary(uniqueKeysWithValues: object.members.map { ($0.key, foundationValue($0.value)) })
        }
    }
}
