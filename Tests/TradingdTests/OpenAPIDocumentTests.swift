import API
import Testing

/// How the families' fragments merge: in order, and never by one overwriting another.
@Suite struct OpenAPIDocumentTests {
    static let head = OpenAPIFragment("head", json: #"{"openapi": "3.1.0", "info": {"title": "t", "version": "1"}}"#)

    @Test func fragmentsMergeMethodByMethodAndNameByName() throws {
        let document = try OpenAPIDocument(head: Self.head, fragments: [
            OpenAPIFragment("a", json: #"{"paths": {"/x": {"get": {"responses": {}}}}, "components": {"schemas": {"A": {}}}}"#),
            OpenAPIFragment("b", json: #"{"paths": {"/x": {"post": {"responses": {}}}, "/y": {"get": {"responses": {}}}}, "components": {"schemas": {"B": {}}}, "tags": [{"name": "b"}]}"#),
        ])
        #expect(document.operations == [.init(method: "get", path: "/x"), .init(method: "POST", path: "/x"), .init(method: "GET", path: "/y")])
        #expect(String(decoding: document.bytes, as: UTF8.self) == #"{"openapi":"3.1.0","info":{"title":"t","version":"1"},"tags":[{"name":"b"}],"paths":{"/x":{"get":{"responses":{}},"post":{"responses":{}}},"/y":{"get":{"responses":{}}}},"components":{"schemas":{"A":{},"B":{}}}}"#)
    }

    @Test(arguments: [
        (#"{"paths": {"/x": {"get": {}}}}"#, "defines get /x, already defined by a"),
        (#"{"components": {"schemas": {"A": {}}}}"#, "defines components.schemas.A, already defined by a"),
        (#"{"tags": [{"name": "a"}]}"#, "defines tag 'a', already defined by a"),
        (#"{"info": {}}"#, "has 'info'; a fragment holds only paths, components and tags"),
        (#"{"paths": {"/z": {"get": {}, "get": {}}}}"#, "is not JSON: duplicate key \"get\""),
        (#"[]"#, "must be a JSON object"),
    ])
    func aSecondDefinitionOrABrokenFragmentIsRefusedByName(json: String, problem: String) {
        let first = OpenAPIFragment("a", json: #"{"paths": {"/x": {"get": {}}}, "components": {"schemas": {"A": {}}}, "tags": [{"name": "a"}]}"#)
        do {
            _ = try OpenAPIDocument(head: Self.head, fragments: [first, OpenAPIFragment("b", json: json)])
            Issue.record("merged")
        } catch {
            #expect(error.description.hasPrefix("OpenAPI fragment b \(problem)"), "\(error)")
        }
    }
}
