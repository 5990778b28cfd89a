import Foundation
import Testing
@testable import HTTPServer
import JSON

/// The trading family's error shape, as the application will plug it in.
struct TradingShapeRenderer: HTTPErrorRenderer {
    func render(_ error: HTTPError, request: Request?) -> Response {
        let body: JSONValue = ["code": .string(error.code), "details": error.details ?? .null,
                               "error": .string(HTTPStatus.reasonPhrase(error.status)),
                               "message": .string(error.message), "statusCode": .number(Double(error.status))]
        return (try? Response.json(body, status: error.status)) ?? Response(status: error.status)
    }
}

struct Unexpected: Error {}

func jsonObject(_ response: Response) -> [String: Any]? {
    (try? JSONSerialization.jsonObject(with: Data(response.body))) as? [String: Any]
}

@Suite struct RouterTests {
    static func makeRouter() -> Router {
        var router = Router()
        router.get("/healthz", execution: .eventLoop) { _ in .text("ok") }
        router.group("/api/v1/trading", renderer: TradingShapeRenderer()) { group in
            group.get("/plants/{plantId}/telemetry") { request in
                .text("telemetry of \(try request.pathParameter("plantId")) from \(request.query["from"] ?? "-")")
            }
            group.get("/plants/export") { _ in .text("export") }
            group.delete("/plants/{plantId}") { request in .text("deleted \(request.pathParameters["plantId"]!)") }
            group.post("/plants") { _ in throw HTTPError.badRequest("bad", code: "VALIDATION", details: ["field": "name"]) }
            group.put("/plants/{plantId}") { _ in throw Unexpected() }
        }
        return router
    }

    func respond(_ method: String, _ target: String, router: Router = makeRouter()) -> RoutedResponse {
        let parts = target.split(separator: "?", maxSplits: 1)
        let request = Request(method: method, path: String(parts[0]), requestID: "r1")
        return router.respond(to: request, rawQuery: parts.count > 1 ? String(parts[1]) : nil)
    }

    @Test func pathParametersAreDecodedAndLiteralsWin() {
        let routed = respond("GET", "/api/v1/trading/plants/p%2F1/telemetry?from=2024-01-01T00%3A00%3A00Z")
        #expect(String(decoding: routed.response.body, as: UTF8.self) == "telemetry of p/1 from 2024-01-01T00:00:00Z")
        #expect(routed.routePattern == "/api/v1/trading/plants/{plantId}/telemetry")
        #expect(String(decoding: respond("GET", "/api/v1/trading/plants/export").response.body, as: UTF8.self) == "export")
    }

    @Test func unknownPathIs404InTheGroupShape() {
        let routed = respond("GET", "/api/v1/trading/nothing")
        #expect(routed.response.status == 404)
        #expect(jsonObject(routed.response)?["statusCode"] as? Int == 404)
        #expect(jsonObject(routed.response)?["code"] as? String == "NOT_FOUND")
        let outside = respond("GET", "/elsewhere")
        #expect(outside.response.status == 404)
        #expect(jsonObject(outside.response)?["statusCode"] == nil)
        #expect(respond("GET", "/healthz/").response.status == 404)
    }

    @Test func wrongMethodIs405WithAllow() {
        let routed = respond("POST", "/api/v1/trading/plants/p1")
        #expect(routed.response.status == 405)
        #expect(routed.response.headers["Allow"] == "DELETE, PUT")
        let telemetry = respond("PATCH", "/api/v1/trading/plants/p1/telemetry")
        #expect(telemetry.response.headers["allow"] == "GET, HEAD")
    }

    @Test func headUsesTheGetRoute() {
        let routed = respond("HEAD", "/healthz")
        #expect(routed.response.status == 200)
        #expect(routed.response.headers["Content-Length"] == "2")
    }

    @Test func thrownErrorsRenderThroughTheGroup() {
        let known = respond("POST", "/api/v1/trading/plants")
        #expect(known.response.status == 400)
        let object = jsonObject(known.response)
        #expect(object?["code"] as? String == "VALIDATION")
        #expect(object?["message"] as? String == "bad")
        #expect((object?["details"] as? [String: String]) == ["field": "name"])
        #expect(known.failure == nil)

        let unknown = respond("PUT", "/api/v1/trading/plants/p1")
        #expect(unknown.response.status == 500)
        #expect(jsonObject(unknown.response)?["message"] as? String == "Internal server error")
        #expect(unknown.failure?.contains("Unexpected") == true)
    }

    @Test func badPathAndQueryEncodingAre400() {
        #expect(respond("GET", "/api/v1/trading/plants/%00/telemetry").response.status == 400)
        #expect(respond("GET", "/api/v1/trading/plants/%FF/telemetry").response.status == 400)
        #expect(respond("GET", "/api/v1/trading/plants/%0D%0A/telemetry").response.status == 400)
        let badQuery = respond("GET", "/api/v1/trading/plants/p/telemetry?from=%C3")
        #expect(badQuery.response.status == 400)
        #expect(jsonObject(badQuery.response)?["code"] as? String == "INVALID_QUERY")
    }

    @Test func middlewareWrapsGroupRoutesInOrder() {
        struct Tag: Middleware {
            let name: String
            func handle(_ request: Request, next: Handler) throws -> Response {
                var response = try next(request)
                response.headers.add("X-Order", name)
                return response
            }
        }
        var router = Router()
        router.group("/g", middleware: [Tag(name: "outer"), Tag(name: "inner"),
                                         ClosureMiddleware { request, next in
                                             guard request.headers["Authorization"] != nil else {
                                                 throw HTTPError(status: 401, code: "UNAUTHORIZED", message: "no token")
                                             }
                                             return try next(request)
                                         }]) { group in
            group.get("/x") { _ in .text("x") }
        }
        let denied = router.respond(to: Request(method: "GET", path: "/g/x"), rawQuery: nil)
        #expect(denied.response.status == 401)
        let allowed = router.respond(to: Request(method: "GET", path: "/g/x", headers: ["authorization": "t"]), rawQuery: nil)
        #expect(allowed.response.headers.values(for: "X-Order") == ["inner", "outer"])
    }
}

@Suite struct QueryAndHeaderTests {
    @Test func queryDecodesPlusPercentAndRepeatedKeys() throws {
        let query = try QueryParameters(decoding: "a=1&b=x+y&a=2&c=%E2%82%AC&flag&=v&d=")
        #expect(query.values(for: "a") == ["1", "2"])
        #expect(query["b"] == "x y")
        #expect(query["c"] == "€")
        #expect(query["flag"] == "")
        #expect(query[""] == "v")
        #expect(query["d"] == "")
        #expect(query["missing"] == nil)
    }

    @Test(arguments: ["a=%", "a=%4", "a=%GG", "a=%00", "%FF=1", "a=%0A"])
    func malformedQueryIsRejected(query: String) {
        #expect(throws: HTTPError.self) { try QueryParameters(decoding: query) }
    }

    @Test func headersAreCaseInsensitive() {
        var headers: HTTPHeaders = ["Content-Type": "a", "X-Multi": "1"]
        headers.add("x-multi", "2")
        #expect(headers["content-type"] == "a")
        #expect(headers.values(for: "X-MULTI") == ["1", "2"])
        headers.set("X-Multi", "3")
        #expect(headers.values(for: "x-multi") == ["3"])
    }
}
