import API
import Foundation
import HTTPServer
import Observability
import Testing
@testable import Tradingd

/// The OpenAPI document against the router the daemon really builds: every registered route
/// must be a documented operation and every documented operation a registered route, so a
/// family cannot land a route without describing it (nor describe one it does not serve).
@Suite struct RouteCoverageTests {
    /// The daemon as `serve` wires it (nothing connects until `run`); its database and broker
    /// addresses refuse connections. `extra` adds settings.
    static func application(_ extra: [String: String] = [:]) throws -> Application {
        let configuration = try Configuration.load(environment: [
            "TRADINGD_DATABASE_URL": "postgresql://u:p@127.0.0.1:1/none",
            "TRADINGD_AMQP_URL": "amqp://u:p@127.0.0.1:1/%2F",
            "TRADINGD_AMQP_MANAGEMENT_URL": "http://u:p@127.0.0.1:1",
            "TRADINGD_SECRET_KEY": Data(repeating: 7, count: 32).base64EncodedString(),
        ].merging(extra) { $1 })
        return try Application(configuration: configuration, logger: .silent)
    }

    @Test func everyRouteIsDocumentedAndEveryOperationIsRouted() throws {
        let application = try Self.application()
        let routed = Set(application.router.routes.map {
            OpenAPIDocument.Operation(method: $0.method, path: $0.pattern.description)
        })
        let documented = application.apiDocument.operations
        let undocumented = routed.subtracting(documented).sorted()
        let unrouted = documented.subtracting(routed).sorted()
        #expect(undocumented.isEmpty, "routes missing from the OpenAPI document: \(undocumented)")
        #expect(unrouted.isEmpty, "documented operations without a route: \(unrouted)")
        #expect(routed.count >= 20)
    }

    @Test func theServedDocumentIsTheMergedOne() throws {
        let application = try Self.application()
        let response = application.router.respond(to: Request(method: "GET", path: "/openapi.json"), rawQuery: nil).response
        #expect(response.status == 200)
        #expect(response.headers["Content-Type"] == "application/json")
        #expect(response.body == application.apiDocument.bytes)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any])
        #expect(object["openapi"] as? String == "3.1.0")
    }
}
