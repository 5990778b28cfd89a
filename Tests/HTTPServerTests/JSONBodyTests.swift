import Foundation
import Testing
@testable import HTTPServer
import JSON

@Suite struct JSONBodyTests {
    struct Plant: Codable, Equatable {
        let name: String
        let capacityKw: Double
    }

    func request(_ body: [UInt8]) -> Request {
        Request(method: "POST", path: "/", body: body)
    }

    @Test func decodesAValidDocument() throws {
        let plant = try request(Array(#"{"name":"A","capacityKw":5}"#.utf8)).decodeJSON(Plant.self)
        #expect(plant == Plant(name: "A", capacityKw: 5))
    }

    @Test func nonUTF8IsAClear400() {
        let body: [UInt8] = Array(#"{"name":""#.utf8) + [0xC3, 0x28] + Array(#"","capacityKw":1}"#.utf8)
        #expect(throws: HTTPError.badRequest("Request body is not valid UTF-8", code: "INVALID_JSON")) {
            try request(body).decodeJSON(Plant.self)
        }
    }

    @Test func deepNestingIsRefusedBeforeDecoding() {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(throws: HTTPError.badRequest("JSON nesting deeper than 32 levels", code: "INVALID_JSON")) {
            try request(Array(deep.utf8)).decodeJSON(JSONValue.self)
        }
        let atLimit = String(repeating: "[", count: 32) + String(repeating: "]", count: 32)
        #expect((try? request(Array(atLimit.utf8)).decodeJSON(JSONValue.self)) != nil)
        // Brackets inside strings do not count.
        let quoted = #"{"name":"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\"[[[[","capacityKw":1}"#
        #expect((try? request(Array(quoted.utf8)).decodeJSON(Plant.self))?.capacityKw == 1)
    }

    @Test func malformedAndMismatchedDocumentsSayWhat() {
        #expect(throws: HTTPError.badRequest("Request body is not valid JSON", code: "INVALID_JSON")) {
            try request(Array("{nope".utf8)).decodeJSON(Plant.self)
        }
        #expect(throws: HTTPError.badRequest("Missing field 'capacityKw'", code: "INVALID_JSON")) {
            try request(Array(#"{"name":"A"}"#.utf8)).decodeJSON(Plant.self)
        }
        #expect(throws: HTTPError.badRequest("Wrong type at 'name': expected String", code: "INVALID_JSON")) {
            try request(Array(#"{"name":1,"capacityKw":1}"#.utf8)).decodeJSON(Plant.self)
        }
        #expect(throws: HTTPError.self) { try request([]).decodeJSON(Plant.self) }
    }

    @Test func responsesEncodeWithSortedKeys() throws {
        let response = try Response.json(["b": 1, "a": 2], status: 201)
        #expect(response.status == 201)
        #expect(response.headers["Content-Type"] == "application/json")
        #expect(String(decoding: response.body, as: UTF8.self) == #"{"a":2,"b":1}"#)
        let value: JSONValue = ["n": 3, "x": 1.5, "list": [true, nil, "s"]]
        let encoded = String(decoding: try Response.json(value).body, as: UTF8.self)
        #expect(encoded == #"{"list":[true,null,"s"],"n":3,"x":1.5}"#)
    }
}
