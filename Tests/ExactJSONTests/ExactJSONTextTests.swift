import ExactJSON
import Testing

/// Writing documents back: as written, and canonically.
struct ExactJSONTextTests {
    @Test func textKeepsOrderAndLiterals() throws {
        let text = #"{"b":1.50,"a":[true,null,"x\"y"]}"#
        #expect(try ExactJSON.parse(text).text == text)
    }

    @Test func canonicalTextIgnoresKeyOrderAndNumberSpelling() throws {
        let first = try ExactJSON.parse(#"{"b": 14.150, "a": {"y": 1e2, "x": -0}}"#)
        let second = try ExactJSON.parse(#"{"a":{"x":0,"y":100},"b":1.415e1}"#)
        #expect(first.canonicalText == second.canonicalText)
        #expect(first.canonicalText == #"{"a":{"x":0,"y":100},"b":14.15}"#)
    }

    @Test func canonicalTextTellsDifferentValuesApart() throws {
        #expect(try ExactJSON.parse(#"{"a":"1"}"#).canonicalText != ExactJSON.parse(#"{"a":1}"#).canonicalText)
        #expect(try ExactJSON.parse("[1,2]").canonicalText != ExactJSON.parse("[2,1]").canonicalText)
    }

    @Test func escapesControlCharactersAndRoundTrips() throws {
        let value = ExactJSON.string("line\nbreak\u{01}\"")
        #expect(value.text == #""line\nbreak\u0001\"""#)
        #expect(try ExactJSON.parse(value.text) == value)
    }
}
