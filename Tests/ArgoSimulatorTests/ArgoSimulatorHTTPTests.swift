import ArgoSimulator
import Foundation
import JSON
import OutboundHTTP
import Testing

/// The simulator over real HTTP, through the project's outbound client.
@Suite final class ArgoSimulatorHTTPTests {
    let simulator: ArgoSimulator
    let client: OutboundHTTPClient
    let port: Int

    init() throws {
        var options = ArgoSimulatorOptions()
        options.knobs.pendingMilliseconds = 100
        options.knobs.runningMilliseconds = 200
        simulator = ArgoSimulator(options: options)
        port = try simulator.start()
        client = OutboundHTTPClient(urlGuard: try OutboundURLGuard(privateAllowList: "127.0.0.1:\(port)"))
    }

    deinit { simulator.stop() }

    private func call(_ method: String, _ path: String, body: String = "", token: String? = "argo-sim-token") throws -> (Int, JSONValue?, HTTPClientResponse) {
        var headers: [(name: String, value: String)] = []
        if let token { headers.append((name: "Authorization", value: "Bearer \(token)")) }
        let response = try client.send(HTTPClientRequest(method: method, scheme: "http", host: "127.0.0.1", port: port, path: path,
                                                         headers: headers, body: Array(body.utf8)))
        return (response.status, try? JSONDecoder().decode(JSONValue.self, from: Data(response.body)), response)
    }

    private func submit(_ name: String?, parameters: [String] = ["purchaseId=p1"], template: String = "purchase-schedule") throws -> (Int, JSONValue?, HTTPClientResponse) {
        let nameField = name.map { "\"name\": \"\($0)\", " } ?? ""
        let list = parameters.map { "\"\($0)\"" }.joined(separator: ",")
        return try call("POST", "/api/v1/workflows/argo/submit", body: """
            {"namespace": "argo", "resourceKind": "WorkflowTemplate", "resourceName": "\(template)",
             "submitOptions": {\(nameField)"parameters": [\(list)], "labels": "tradingd.io/purchase-id=p1"}}
            """)
    }

    private func phase(_ value: JSONValue?) -> String? {
        guard case .object(let root) = value, case .object(let status)? = root["status"], case .string(let phase)? = status["phase"] else { return nil }
        return phase
    }

    @Test func checksTheBearerToken() throws {
        for token in [nil, "wrong"] {
            let (status, body, _) = try call("GET", "/api/v1/workflows/argo/x", token: token)
            #expect(status == 401)
            guard case .object(let error) = body else { Issue.record("no JSON error"); continue }
            #expect(error["code"] == 16)
        }
    }

    @Test func createsOnceAndRefusesAReusedName() throws {
        let (status, body, _) = try submit("purchase-abc")
        #expect(status == 200)
        guard case .object(let root) = body, case .object(let metadata)? = root["metadata"] else {
            Issue.record("not a workflow")
            return
        }
        #expect(metadata["name"] == "purchase-abc")
        #expect(metadata["labels"] == ["tradingd.io/purchase-id": "p1"])
        let (again, error, _) = try submit("purchase-abc")
        #expect(again == 409)
        #expect(error == ["code": 6, "message": "workflows.argoproj.io \"purchase-abc\" already exists"])
        #expect(simulator.workflows.count == 1 && simulator.stats.alreadyExists == 1)
        let (generated, generatedBody, _) = try submit(nil)
        guard case .object(let generatedRoot) = generatedBody, case .object(let generatedMeta)? = generatedRoot["metadata"],
              case .string(let generatedName)? = generatedMeta["name"] else {
            Issue.record("no generated name")
            return
        }
        #expect(generated == 200 && generatedName.hasPrefix("purchase-schedule-") && generatedName.count == "purchase-schedule-".count + 5)
    }

    @Test func refusesWhatArgoRefuses() throws {
        #expect(try submit("w1", template: "nope").0 == 404)
        #expect(try submit("w1", template: "nope").1 == ["code": 5, "message": "workflowtemplates.argoproj.io \"nope\" not found"])
        #expect(try submit("w1", parameters: []).1 == ["code": 3, "message": "spec.arguments.purchaseId.value is required"])
        #expect(try submit("w1", parameters: ["purchaseId"]).0 == 400)
        #expect(try submit("Not_A_Name").0 == 400)
        #expect(try call("GET", "/api/v1/workflows/argo/missing").1 == ["code": 5, "message": "workflows.argoproj.io \"missing\" not found"])
        #expect(simulator.workflows.isEmpty)
    }

    @Test func movesThroughPhasesOverItsTimes() throws {
        // Phases long enough that a poll lands in each even when the machine is loaded.
        simulator.knobs.pendingMilliseconds = 1000
        simulator.knobs.runningMilliseconds = 2000
        simulator.knobs.failureRate = 0
        _ = try submit("ok")
        #expect(phase(try call("GET", "/api/v1/workflows/argo/ok").1) == "Pending")
        var seen: [String] = []
        let deadline = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < deadline, seen.last != "Succeeded" {
            if let current = phase(try call("GET", "/api/v1/workflows/argo/ok").1), current != seen.last { seen.append(current) }
            Thread.sleep(forTimeInterval: 0.02)
        }
        #expect(seen == ["Pending", "Running", "Succeeded"])
        simulator.knobs.failureRate = 1
        _ = try submit("bad")
        let failDeadline = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < failDeadline, phase(try call("GET", "/api/v1/workflows/argo/bad").1) != "Failed" {
            Thread.sleep(forTimeInterval: 0.02)
        }
        #expect(phase(try call("GET", "/api/v1/workflows/argo/bad").1) == "Failed")
    }

    @Test func throttlesAtTheConfiguredRate() throws {
        simulator.knobs = { var knobs = simulator.knobs; knobs.rateLimitPerSecond = 0.5; knobs.rateLimitBurst = 2; return knobs }()
        #expect(try call("GET", "/api/v1/workflows/argo/x").0 == 404)
        #expect(try call("GET", "/api/v1/workflows/argo/x").0 == 404)
        let (status, _, response) = try call("GET", "/api/v1/workflows/argo/x")
        #expect(status == 429)
        // A time in UTC, as Argo writes it; 0.5 tokens a second: one is back within 2 s.
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'UTC'"
        let retryAt = try #require(response.header("Retry-After").flatMap(formatter.date(from:)))
        #expect((0...3).contains(retryAt.timeIntervalSinceNow))
        #expect(response.header("X-Rate-Limit-Reset") == response.header("Retry-After"))
        #expect(response.header("X-Rate-Limit-Remaining") == "0")
        #expect(simulator.stats.throttled == 1)
    }

    @Test func downRefusesConnectionsAndKeepsWorkflows() throws {
        _ = try submit("kept")
        try simulator.setDown(true)
        #expect(throws: HTTPClientError.self) { try call("GET", "/api/v1/workflows/argo/kept") }
        try simulator.setDown(false)
        #expect(try call("GET", "/api/v1/workflows/argo/kept").0 == 200)
    }
}
