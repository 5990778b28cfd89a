import Foundation
@testable import HTTPServer
import Testing
import TestSupport

/// Routes with a loop handler, through a real listener: what the loop handler answers, when the
/// worker-pool handler answers instead, and how middleware takes part on the loop.
@Suite struct LoopHandlerTests {
    /// Refuses requests without `X-Allowed` in both ways; on the loop, declines requests with
    /// `X-Decline` (as a cache miss would) and tags the requests it admits.
    struct Gate: Middleware {
        struct Admitted: RequestAttributeKey { typealias Value = String }

        func handle(_ request: Request, next: Handler) throws -> Response {
            guard request.headers["X-Allowed"] != nil else { throw HTTPError(status: 401, code: "NO", message: "not allowed") }
            var request = request
            request.attributes[Admitted.self] = "worker"
            return try next(request)
        }

        func admitOnLoop(_ request: Request) throws -> Request? {
            guard request.headers["X-Allowed"] != nil else { throw HTTPError(status: 401, code: "NO", message: "not allowed") }
            guard request.headers["X-Decline"] == nil else { return nil }
            var request = request
            request.attributes[Admitted.self] = "loop"
            return request
        }
    }

    let server: HTTPServer
    let port: Int

    init() throws {
        var router = Router()
        router.group("/gated", renderer: DefaultErrorRenderer(), middleware: [Gate()]) { group in
            group.get("/{mode}", onLoop: { request, responder in
                let admitted = request.attributes[Gate.Admitted.self] ?? "none"
                let mode = try request.pathParameter("mode")
                let answer = "loop \(mode) \(request.query["q"] ?? "-") \(admitted)"
                switch mode {
                case "later":
                    responder.loop.atEndOfTurn { responder.respond { .text(answer) } }
                case "early":
                    responder.respond { .text(answer) }
                case "fails-later":
                    responder.loop.atEndOfTurn { responder.respond { throw HTTPError.notFound("gone", code: "GONE") } }
                case "falls-back":
                    responder.loop.atEndOfTurn { responder.fallBack() }
                case "twice":
                    responder.loop.atEndOfTurn {
                        responder.respond { .text(answer) }
                        responder.respond { .text("second answer") }
                        responder.fallBack()
                    }
                case "throws":
                    throw HTTPError.badRequest("refused on the loop", code: "LOOP_REFUSED")
                default:
                    return .declined
                }
                return .pending
            }, { request in
                .text("worker \(try request.pathParameter("mode")) \(request.query["q"] ?? "-") \(request.attributes[Gate.Admitted.self] ?? "none")")
            })
        }
        server = HTTPServer(configuration: HTTPServerConfiguration(host: "127.0.0.1", port: 0, eventLoopCount: 2, workerCount: 2),
                            router: router)
        port = try server.start()
    }

    private func get(_ path: String, headers: String = "X-Allowed: yes\r\n") throws -> RawResponse {
        try RawClient.get(path, port: port, headers: headers)
    }

    @Test func theLoopHandlerAnswersWithTheRequestAsItsMiddlewareAdmittedIt() throws {
        defer { server.stop(grace: .seconds(1)) }
        #expect(try get("/gated/later?q=a%20b").text == "loop later a b loop")
        #expect(try get("/gated/early?q=1").text == "loop early 1 loop")
    }

    @Test func aDeclineByTheHandlerOrTheMiddlewareRunsTheWorkerHandler() throws {
        defer { server.stop(grace: .seconds(1)) }
        #expect(try get("/gated/other?q=2").text == "worker other 2 worker")
        #expect(try get("/gated/later?q=3", headers: "X-Allowed: yes\r\nX-Decline: yes\r\n").text == "worker later 3 worker")
        #expect(try get("/gated/falls-back").text == "worker falls-back - worker")
    }

    @Test func whatTheLoopHandlerOrMiddlewareThrowsIsRenderedByTheRoute() throws {
        defer { server.stop(grace: .seconds(1)) }
        let refused = try get("/gated/throws")
        #expect(refused.status == 400)
        #expect(refused.text.contains("LOOP_REFUSED"))
        let failed = try get("/gated/fails-later")
        #expect(failed.status == 404)
        #expect(failed.text.contains("GONE"))
        let unauthorized = try get("/gated/later", headers: "")
        #expect(unauthorized.status == 401)
    }

    /// Answers given during a turn stamp their connection after the turn began; the sweep at the
    /// end of that turn must not take the connection for one idle since forever.
    @Test func aKeepAliveConnectionAnsweredOnTheLoopStaysOpenAcrossSweeps() throws {
        defer { server.stop(grace: .seconds(1)) }
        let client = try RawClient(port: port)
        let started = ContinuousClock.now
        var answered = 0
        // Sweeps run every 100 ms: a second and a half of requests meets more than ten of them.
        while ContinuousClock.now - started < .milliseconds(1500) {
            #expect(client.send("GET /gated/later?q=\(answered) HTTP/1.1\r\nHost: t\r\nX-Allowed: yes\r\n\r\n"))
            let response = try client.readResponse()
            guard response.text == "loop later \(answered) loop" else {
                Issue.record("request \(answered): \(response.status) \(response.text)")
                return
            }
            answered += 1
        }
        #expect(answered > 20)
    }

    @Test func elapsedTimeIsNeverNegative() {
        #expect(EventLoop.elapsed(1_000, since: 400) == 600)
        #expect(EventLoop.elapsed(400, since: 1_000) == 0)
    }

    @Test func onlyTheFirstAnswerCountsAndTheConnectionStaysInStep() throws {
        defer { server.stop(grace: .seconds(1)) }
        let client = try RawClient(port: port)
        for index in 0..<3 {
            #expect(client.send("GET /gated/twice?q=\(index) HTTP/1.1\r\nHost: t\r\nX-Allowed: yes\r\n\r\n"))
            #expect(try client.readResponse().text == "loop twice \(index) loop")
        }
        // Pipelined requests of both kinds come back in order.
        let paths = ["/gated/later?q=1", "/gated/other?q=2", "/gated/early?q=3", "/gated/falls-back?q=4"]
        #expect(client.send(paths.map { "GET \($0) HTTP/1.1\r\nHost: t\r\nX-Allowed: yes\r\n\r\n" }.joined()))
        let answers = try paths.map { _ in try client.readResponse().text }
        #expect(answers == ["loop later 1 loop", "worker other 2 worker", "loop early 3 loop", "worker falls-back 4 worker"])
    }
}
