import Foundation
import HTTPServer
import JSON
import Testing
import TestSupport
@testable import Tradingd

/// The daemon's listener, wired as `serve` wires it, against the OpenAPI document: under every
/// family's prefixes each of the listener's own answers (a malformed target or query, 404, 405,
/// 408, 413, 417, 431, 501, 505) is the family's documented error body, and every operation,
/// called with its database unreachable, answers a status its operation documents with a body
/// that conforms to it. A family that lands a route group without an entry here fails the suite.
@Suite(.serialized) struct ListenerEnvelopeTests {
    struct Family: Sendable, CustomStringConvertible {
        let name: String
        let prefixes: [String]
        /// The component schemas of the listener's answers under the prefixes (each answer is one of them).
        let envelopes: [String]
        var description: String { name }
    }

    static let families = [
        Family(name: "trading", prefixes: ["/api/v1/trading"], envelopes: ["TradingError"]),
        Family(name: "vend", prefixes: ["/api/auth", "/api/electricity", "/api/buyelectricityprod", "/api/transactions"],
               envelopes: ["VendRefused"]),
        // Django REST framework's `{"detail"}` for 401, 403, 404 and 405, the seed's `{"error"}` otherwise.
        Family(name: "purchases", prefixes: ["/api/v0/user"], envelopes: ["PurchaseError", "PurchaseDetail"]),
        // Seeds 002 and 003: `{"error"}`, in Spanish for the sales history, in English for customer events.
        Family(name: "sales history", prefixes: ["/update-user-sales-history", "/users"], envelopes: ["CustomerDataError"]),
        Family(name: "customer events", prefixes: ["/customer_events/token", "/customer_events/purchases"], envelopes: ["CustomerDataError"]),
    ]

    /// The answers outside every family.
    static let plainEnvelope = "PlainError"

    /// A value for every path parameter (a UUID is also a valid transID).
    static let parameterValue = "8c2c37ff-79f6-40ba-b98d-a2bfedecc0a3"

    /// The daemon with its database and broker unreachable and a 1 s header timeout, listening
    /// on a free loopback port.
    final class Listener: Sendable {
        let application: Application
        let document: JSONValue
        let port: Int

        init() throws {
            application = try RouteCoverageTests.application([
                "TRADINGD_HTTP_ADDRESS": "127.0.0.1:0",
                "TRADINGD_HTTP_HEADER_TIMEOUT_SECONDS": "1",
            ])
            document = try #require(JSONValue.parse(application.apiDocument.bytes))
            try application.http.start()
            port = try #require(application.http.port)
        }

        func stop() { _ = application.http.stop(by: .now + .seconds(2)) }

        /// Sends `raw` on a new connection; the answer with its body read as JSON.
        func exchange(_ raw: String) throws -> (response: RawResponse, body: JSONValue) {
            let client = try RawClient(port: port, timeout: 10)
            client.send(raw)
            let response = try client.readResponse()
            let body = try #require(JSONValue.parse(response.body), "not JSON: \(response.status) \(response.text)")
            return (response, body)
        }

        /// Any one of the named component schemas.
        func schema(oneOf names: [String]) -> JSONValue {
            .object(["anyOf": .array(names.map { .object(["$ref": .string("#/components/schemas/\($0)")]) })])
        }

        func violations(of body: JSONValue, against schema: JSONValue) -> [String] {
            SchemaCheck(document: document).violations(of: body, against: schema)
        }
    }

    @Test func everyRouteGroupBelongsToAFamilyHere() throws {
        let application = try RouteCoverageTests.application()
        let listed = Set(Self.families.flatMap(\.prefixes))
        let grouped = Set(application.router.groupPrefixes)
        #expect(grouped.subtracting(listed).isEmpty, "route groups without a family in ListenerEnvelopeTests: \(grouped.subtracting(listed).sorted())")
        #expect(listed.subtracting(grouped).isEmpty, "families listed for prefixes no group has: \(listed.subtracting(grouped).sorted())")
        let document = try #require(JSONValue.parse(application.apiDocument.bytes))
        for family in Self.families {
            for envelope in family.envelopes {
                #expect(SchemaCheck(document: document).resolve("#/components/schemas/\(envelope)") != nil,
                        "\(family.name): no component schema \(envelope)")
            }
        }
    }

    /// The listener's own answers under `prefix`, and the status each must have.
    static func listenerRequests(under prefix: String, route: String, unservedMethod: String,
                                 maximumBody: Int) -> [(request: String, status: Int)] {
        [
            ("GET \(prefix)/%ZZ HTTP/1.1\r\nHost: h\r\n\r\n", 400),
            ("GET http://h\(prefix)/%ZZ HTTP/1.1\r\nHost: h\r\n\r\n", 400),
            ("GET \(route)?q=%ZZ HTTP/1.1\r\nHost: h\r\n\r\n", 400),
            // Two segments: one alone may be a route's parameter (`/users/{id}`).
            ("GET \(prefix)/no-such-path/no-such-path HTTP/1.1\r\nHost: h\r\n\r\n", 404),
            ("\(unservedMethod) \(route) HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n\r\n", 405),
            ("GET \(prefix) HTTP/1.1\r\nHost: h\r\n", 408),
            ("POST \(route) HTTP/1.1\r\nHost: h\r\nContent-Length: \(maximumBody + 1)\r\n\r\n", 413),
            ("POST \(route) HTTP/1.1\r\nHost: h\r\nExpect: 100-sometime\r\nContent-Length: 2\r\n\r\n", 417),
            ("GET \(route) HTTP/1.1\r\nHost: h\r\nX-Big: \(String(repeating: "a", count: 20_000))\r\n\r\n", 431),
            ("POST \(route) HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", 501),
            ("GET \(route) HTTP/3.0\r\nHost: h\r\n\r\n", 505),
        ]
    }

    @Test(arguments: families)
    func theListenersOwnAnswersUnderAFamilysPrefixesAreItsDocumentedEnvelope(family: Family) throws {
        let listener = try Listener()
        defer { listener.stop() }
        for prefix in family.prefixes {
            let route = try #require(listener.application.router.routes.first { $0.pattern.description.hasPrefix(prefix) },
                                     "no route under \(prefix)")
            let path = Self.concrete(route.pattern.description)
            let served = listener.application.router.routes.filter { $0.pattern == route.pattern }.map(\.method)
            let unserved = try #require(["PATCH", "PUT", "DELETE"].first { !served.contains($0) })
            for (request, status) in Self.listenerRequests(under: prefix, route: path, unservedMethod: unserved,
                                                                 maximumBody: listener.application.configuration.httpMaxBodyBytes) {
                let line = request.prefix { $0 != "\r" }
                let answer: (response: RawResponse, body: JSONValue)
                do { answer = try listener.exchange(request) } catch {
                    Issue.record("\(line): \(error)")
                    continue
                }
                let (response, body) = answer
                #expect(response.status == status, "\(line): \(response.status) \(response.text)")
                #expect(response.headers["Content-Type"] == "application/json", "\(line)")
                let problems = listener.violations(of: body, against: listener.schema(oneOf: family.envelopes))
                #expect(problems.isEmpty, "\(line): \(response.text) is not \(family.envelopes): \(problems)")
            }
        }
    }

    @Test(arguments: [
        "GET /no-such-family/%ZZ HTTP/1.1\r\nHost: h\r\n\r\n",
        "GET /api/nothing-here HTTP/1.1\r\nHost: h\r\n\r\n",
        "BROKEN\r\n\r\n",
    ])
    func answersOutsideEveryFamilyAreThePlainEnvelope(request: String) throws {
        let listener = try Listener()
        defer { listener.stop() }
        let (response, body) = try listener.exchange(request)
        #expect(response.status >= 400)
        let problems = listener.violations(of: body, against: listener.schema(oneOf: [Self.plainEnvelope]))
        #expect(problems.isEmpty, "\(response.text): \(problems)")
    }

    /// Every operation of the document, its database unreachable: whatever it answers (a 400
    /// before the database, the 5xx of the failure), the status is one its operation documents and
    /// the body conforms to that response.
    @Test func everyOperationAnswersADocumentedResponseWhenItsDatabaseIsDown() throws {
        let listener = try Listener()
        defer { listener.stop() }
        let paths = try #require(listener.document.objectValue?["paths"]?.objectValue)
        var checked = 0
        for route in listener.application.router.routes {
            let pattern = route.pattern.description
            let operation = try #require(paths[pattern]?.objectValue?[route.method.lowercased()]?.objectValue,
                                         "\(route.method) \(pattern) is not in the document")
            let path = Self.concrete(pattern)
            let body = route.method == "GET" || route.method == "DELETE" ? "" : "{}"
            let request = "\(route.method) \(path) HTTP/1.1\r\nHost: h\r\nAuthorization: Bearer vat_\(String(repeating: "0", count: 64))\r\n"
                + "api_key: none\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)"
            let client = try RawClient(port: listener.port, timeout: 10)
            client.send(request)
            let response = try client.readResponse()
            let responses = operation["responses"]?.objectValue ?? [:]
            guard let documented = responses[String(response.status)] ?? responses["default"] else {
                Issue.record("\(route.method) \(pattern): \(response.status) is not documented (\(responses.keys.sorted())): \(response.text)")
                continue
            }
            checked += 1
            let resolved = documented.objectValue?["$ref"]?.stringValue.flatMap { SchemaCheck(document: listener.document).resolve($0) } ?? documented
            guard let schema = resolved.objectValue?["content"]?.objectValue?["application/json"]?.objectValue?["schema"] else { continue }
            let json = try #require(JSONValue.parse(response.body), "\(route.method) \(pattern): not JSON: \(response.text)")
            let problems = listener.violations(of: json, against: schema)
            #expect(problems.isEmpty, "\(route.method) \(pattern) \(response.status): \(response.text): \(problems)")
        }
        #expect(checked >= 20)
    }

    /// A query string that does not decode (a malformed escape, or NUL) is a 400 of every
    /// operation: documented, in the operation's own shape.
    @Test(arguments: ["x=%ZZ", "x=%00"])
    func everyOperationDocumentsTheAnswerToAQueryThatDoesNotDecode(query: String) throws {
        let listener = try Listener()
        defer { listener.stop() }
        let paths = try #require(listener.document.objectValue?["paths"]?.objectValue)
        for route in listener.application.router.routes {
            let pattern = route.pattern.description
            let operation = try #require(paths[pattern]?.objectValue?[route.method.lowercased()]?.objectValue)
            let client = try RawClient(port: listener.port, timeout: 10)
            client.send("\(route.method) \(Self.concrete(pattern))?\(query) HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n\r\n")
            let response = try client.readResponse()
            #expect(response.status == 400, "\(route.method) \(pattern): \(response.status) \(response.text)")
            let documented = operation["responses"]?.objectValue?["400"]
            guard let documented else {
                Issue.record("\(route.method) \(pattern): 400 is not documented: \(response.text)")
                continue
            }
            let resolved = documented.objectValue?["$ref"]?.stringValue.flatMap { SchemaCheck(document: listener.document).resolve($0) } ?? documented
            let schema = try #require(resolved.objectValue?["content"]?.objectValue?["application/json"]?.objectValue?["schema"],
                                      "\(route.method) \(pattern): the 400 has no JSON schema")
            let problems = listener.violations(of: try #require(JSONValue.parse(response.body)), against: schema)
            #expect(problems.isEmpty, "\(route.method) \(pattern): \(response.text): \(problems)")
        }
    }

    /// The router refuses a path or query string that decodes to NUL, CR or LF (400), so no
    /// parameter's schema may allow them: schema-valid requests must be accepted.
    @Test func noParameterSchemaAllowsWhatTheRouterRefuses() throws {
        let application = try RouteCoverageTests.application()
        let document = try #require(JSONValue.parse(application.apiDocument.bytes))
        let check = SchemaCheck(document: document)
        let paths = try #require(document.objectValue?["paths"]?.objectValue)
        var strings = 0
        for (path, item) in paths.sorted(by: { $0.key < $1.key }) {
            for (method, operation) in item.objectValue ?? [:] {
                guard case .array(let parameters)? = operation.objectValue?["parameters"] else { continue }
                for parameter in parameters {
                    let resolved = parameter.objectValue?["$ref"]?.stringValue.flatMap(check.resolve) ?? parameter
                    guard let fields = resolved.objectValue, let name = fields["name"]?.stringValue,
                          ["path", "query"].contains(fields["in"]?.stringValue), let schema = fields["schema"] else { continue }
                    let target = schema.objectValue?["$ref"]?.stringValue.flatMap(check.resolve) ?? schema
                    guard check.violations(of: "x", against: .object(["type": target.objectValue?["type"] ?? .null])).isEmpty,
                          target.objectValue?["format"] != "uuid" else { continue }
                    strings += 1
                    for refused in ["a\u{0}b", "a\rb", "a\nb"] {
                        #expect(!check.violations(of: .string(refused), against: schema).isEmpty,
                                "\(method) \(path) \(name): the schema allows \(refused.debugDescription), which the router refuses")
                    }
                }
            }
        }
        #expect(strings >= 5)
    }

    /// A route pattern with every parameter filled in.
    static func concrete(_ pattern: String) -> String {
        pattern.split(separator: "/", omittingEmptySubsequences: false).map {
            $0.hasPrefix("{") ? Self.parameterValue : String($0)
        }.joined(separator: "/")
    }
}
