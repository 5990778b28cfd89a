import ArgoSimulator
import Foundation
import Postgres
import TestSupport
import Testing

/// The real `tradingd` binary killed with SIGKILL at the two moments that could lose a dispatch or
/// make a second workflow: after the purchase committed but before it was handed over, and after
/// Argo created the workflow but before tradingd recorded it. Either way every purchase ends with
/// exactly one workflow.
@Suite(.serialized) final class PurchaseCrashTests {
    let databaseURL: String
    let argo: ArgoSimulator
    var environment: [String: String]
    let token: String

    init() throws {
        databaseURL = try TestDatabase.fresh()
        var options = ArgoSimulatorOptions()
        options.knobs.pendingMilliseconds = 50
        options.knobs.runningMilliseconds = 50
        argo = ArgoSimulator(options: options)
        let port = try argo.start()
        environment = try Daemon.environment(databaseURL: databaseURL)
        environment["TRADINGD_EXCHANGE"] = TestQueues.uniqueName("crash")
        environment["TRADINGD_OUTBOUND_PRIVATE_ALLOW"] = "127.0.0.1:\(port)"
        environment["TRADINGD_ARGO_URL"] = "http://127.0.0.1:\(port)"
        environment["TRADINGD_PURCHASE_DISPATCH_LEASE_SECONDS"] = "2"
        environment["TRADINGD_ARGO_STATUS_POLL_SECONDS"] = "1"
        environment["TRADINGD_ARGO_TOKEN_SEALED"] = try Self.seal("argo-sim-token", environment: environment)
        _ = try Daemon.lastLine(try Daemon.run(["org", "create", "--slug", "crash", "--name", "Crash"], environment: environment))
        try TestSQL.execute(databaseURL, "INSERT INTO users (organization_id, username) SELECT id, 'trebolenergia' FROM organizations")
        _ = try Daemon.lastLine(try Daemon.run(["retailer", "create", "--org", "crash", "--id", "123", "--name", "Retailer",
                                                "--time-zone", "Europe/Madrid"], environment: environment))
        token = try Daemon.lastLine(try Daemon.run(["token", "create", "--org", "crash", "--role", "operator", "--scopes", "purchase",
                                                    "--user", "trebolenergia"], environment: environment))
    }

    deinit { argo.stop() }

    /// `tradingd secret seal` with the secret on stdin.
    static func seal(_ secret: String, environment: [String: String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try Daemon.binary())
        process.arguments = ["secret", "seal"]
        process.environment = environment
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        input.fileHandleForWriting.write(Data(secret.utf8))
        try input.fileHandleForWriting.close()
        let sealed = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0, sealed.hasPrefix("v1.") else { throw Daemon.Failure(description: "seal failed: \(sealed)") }
        return sealed.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    private func submit(_ daemon: Daemon.Running, _ index: Int) throws -> String {
        let body = #"{"purchase": [{"datetime": "2025-11-11 00:15", "purchase": \#(index + 1)}]}"#
        let reply = try HTTP.send("POST", "http://127.0.0.1:\(daemon.port)/api/v0/user/trebolenergia/submit-purchase/123", token: token,
                                  body: Data(body.utf8))
        guard reply.status == 201, let id = reply.json?["id"] as? String else {
            throw Daemon.Failure(description: "submit answered \(reply.status): \(reply.body)")
        }
        return id
    }

    private func statuses() throws -> [String: String] {
        var result: [String: String] = [:]
        for row in try PostgresConnection(url: databaseURL).query("SELECT id::text, status FROM purchases") {
            result[try row.string(0)] = try row.string(1)
        }
        return result
    }

    private func expectOneWorkflowEach(_ ids: [String]) {
        #expect(Set(argo.workflows.values.map(\.name)) == Set(ids.map { "purchase-\($0)" }))
        #expect(argo.stats.workflowsCreated == ids.count)
    }

    @Test func killedBetweenCommitAndDispatch() throws {
        try argo.setDown(true)
        let first = try Daemon.start(environment: environment)
        let ids = try (0..<5).map { try submit(first, $0) }
        #expect(try statuses().values.allSatisfy { $0 == "pending" })
        first.kill()
        _ = first.terminate()
        try argo.setDown(false)
        let second = try Daemon.start(environment: environment)
        defer { _ = second.terminate() }
        try waitUntil("all completed after the restart") { try statuses().values.filter { $0 == "completed" }.count == 5 }
        expectOneWorkflowEach(ids)
        #expect(argo.stats.alreadyExists == 0)
    }

    @Test func killedBetweenSubmitAndRecordingIt() throws {
        argo.knobs = { var knobs = argo.knobs; knobs.submitResponseDelayMilliseconds = 10_000; return knobs }()
        let first = try Daemon.start(environment: environment)
        let ids = try (0..<3).map { try submit(first, $0) }
        try waitUntil("Argo created the first workflow") { argo.workflows.count >= 1 }
        first.kill()
        _ = first.terminate()
        let created = argo.workflows.count
        #expect(created >= 1)
        #expect(try statuses().values.allSatisfy { $0 == "pending" })  // nothing was recorded
        argo.knobs = { var knobs = argo.knobs; knobs.submitResponseDelayMilliseconds = 0; return knobs }()
        let second = try Daemon.start(environment: environment)
        defer { _ = second.terminate() }
        try waitUntil("all completed after the restart") { try statuses().values.filter { $0 == "completed" }.count == 3 }
        expectOneWorkflowEach(ids)
        #expect(argo.stats.alreadyExists >= created)
    }
}
