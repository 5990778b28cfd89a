import Testing
@testable import Purchases

struct ExactJSONReaderTests {
    private func parse(_ text: String) throws(ExactJSONSyntaxError) -> ExactJSONValue {
        try ExactJSONReader.parse(Array(text.utf8))
    }

    @Test func keepsNumbersAsWritten() throws {
        let value = try parse(#"[12.0, -0.125, 1e3, 0, 1.5E-3, 123456789012345678901234567890]"#)
        #expect(value == .array([.number("12.0"), .number("-0.125"), .number("1e3"), .number("0"), .number("1.5E-3"),
                                 .number("123456789012345678901234567890")]))
    }

    @Test func readsNonFiniteTokens() throws {
        #expect(try parse("[NaN, Infinity, -Infinity]") == .array([.nonFinite("NaN"), .nonFinite("Infinity"), .nonFinite("-Infinity")]))
    }

    @Test func readsObjectsStringsAndLiterals() throws {
        let value = try parse(#" { "a" : "x\"y\\z\u00e9\ud83d\ude00", "b": [true, false, null], "c": {} } "#)
        guard case .object(let object) = value else {
            Issue.record("not an object")
            return
        }
        #expect(object["a"] == .string("x\"y\\zé😀"))
        #expect(object["b"] == .array([.bool(true), .bool(false), .null]))
        #expect(object["c"] == .object(ExactJSONObject()))
        #expect(object["missing"] == nil)
    }

    @Test func repeatedKeyKeepsTheLastValue() throws {
        guard case .object(let object) = try parse(#"{"k": 1, "k": 2}"#) else {
            Issue.record("not an object")
            return
        }
        #expect(object["k"] == .number("2"))
    }

    @Test(arguments: [
        "", " ", "{", "[1,]", "[1 2]", "{\"a\" 1}", "{a: 1}", "01", "1.", ".5", "+1", "1e", "-", "--1", "tru", "nul",
        "\"unterminated", "\"tab\there\"", "\"bad \\x escape\"", "\"\\ud800\"", "\"\\udc00\"", "[1] x", "'single'",
        "{\"a\": 1,}", "NaNa", "-Inf",
    ])
    func refusesMalformedDocuments(text: String) {
        #expect(throws: ExactJSONSyntaxError.self) { try parse(text) }
    }

    @Test func refusesInvalidUTF8InStrings() {
        let bytes: [UInt8] = Array("[\"".utf8) + [0xC3, 0x28] + Array("\"]".utf8)
        #expect(throws: ExactJSONSyntaxError.self) { try ExactJSONReader.parse(bytes) }
    }

    @Test func limitsNesting() throws {
        let deep = String(repeating: "[", count: ExactJSONReader.maximumDepth + 2) + String(repeating: "]", count: ExactJSONReader.maximumDepth + 2)
        #expect(throws: ExactJSONSyntaxError.self) { try parse(deep) }
        let allowed = String(repeating: "[", count: ExactJSONReader.maximumDepth) + String(repeating: "]", count: ExactJSONReader.maximumDepth)
        _ = try parse(allowed)
    }
}
