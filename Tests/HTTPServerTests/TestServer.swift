import Foundation
import Synchronization
@testable import HTTPServer
import JSON
import TestSupport

/// Access records the server reported.
final class RecordLog: Sendable {
    private let storage = Mutex<[AccessRecord]>([])

    func append(_ record: AccessRecord) { storage.withLock { $0.append(record) } }

    func withLock<T>(_ body: ([AccessRecord]) -> T) -> T { storage.withLock { body($0) } }
}

/// A real listener on a free loopback port with routes the server tests use.
final class TestServer: Sendable {
    let server: HTTPServer
    let port: Int
    let records = RecordLog()
    /// How often `POST /apply` ran (a handler with an effect, like a configuration change).
    let applied = RunCounter()

    final class RunCounter: Sendable {
        private let count = Atomic<Int>(0)
        func add() { count.add(1, ordering: .relaxed) }
        var value: Int { count.load(ordering: .relaxed) }
    }

    init(limits: ServerLimits = ServerLimits(), workers: Int = 4) throws {
        var router = Router()
        router.get("/healthz", execution: .eventLoop) { _ in .text("ok") }
        router.post("/echo") { request in
            Response(status: 200, headers: ["Content-Type": "application/octet-stream"], body: request.body)
        }
        router.get("/slow") { request in
            let milliseconds = Int(request.query["ms"] ?? "100") ?? 100
            usleep(useconds_t(milliseconds * 1000))
            return .text("slept \(milliseconds)")
        }
        let applied = self.applied
        router.post("/apply") { _ in
            applied.add()
            return .text("applied")
        }
        router.get("/items/{id}") { request in .text("item \(try request.pathParameter("id"))") }
        router.delete("/items/{id}") { _ in .empty() }
        router.post("/json") { request in
            try Response.json(try request.decodeJSON(JSONValue.self))
        }
        router.get("/crash") { _ in throw CocoaError(.fileNoSuchFile) }
        router.group(FamilyRenderer.prefix, renderer: FamilyRenderer()) { group in
            group.get("/items/{id}") { request in .text("family item \(try request.pathParameter("id"))") }
            group.post("/items") { request in Response(status: 201, body: request.body) }
        }
        let records = self.records
        let hooks = HTTPServerHooks(requestCompleted: { record in records.append(record) })
        server = HTTPServer(configuration: HTTPServerConfiguration(host: "127.0.0.1", port: 0, eventLoopCount: 2,
                                                                   workerCount: workers, limits: limits),
                            router: router, hooks: hooks)
        port = try server.start()
    }

    func stop() {
        server.stop(grace: .seconds(2))
    }

    func connect(timeout: Double = 5) throws -> RawClient {
        try RawClient(port: port, timeout: timeout)
    }

    /// Asserts-friendly: a fresh client gets 200 from /healthz.
    func servesOthers() -> Bool {
        (try? RawClient.get("/healthz", port: port).status) == 200
    }

    /// Waits up to `seconds` for `condition`.
    static func eventually(_ seconds: Double = 3, _ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if condition() { return true }
            usleep(10_000)
        }
        return condition()
    }
}

/// A family's envelope, recognisable in every answer under its prefix.
struct FamilyRenderer: HTTPErrorRenderer {
    static let prefix = "/api/v1/family"

    func render(_ error: HTTPError, request: Request?) -> Response {
        let body: JSONValue = ["family": true, "status": .number(Double(error.status)), "code": .string(error.code),
                               "message": .string(error.message)]
        return (try? Response.json(body, status: error.status)) ?? Response(status: error.status)
    }
}
