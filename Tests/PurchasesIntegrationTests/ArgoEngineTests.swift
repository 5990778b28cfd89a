import ArgoSimulator
import Foundation
import PurchaseTestSupport
import PurchaseCore
@testable import Purchases
import Testing

/// `ArgoWorkflowEngine` against the simulator: each answer of Argo mapped to its outcome.
@Suite struct ArgoEngineTests {
    let argo: ArgoFixture

    init() throws {
        argo = try ArgoFixture(templates: ["purchase-schedule": ["purchaseId"], "needs-more": ["purchaseId", "region"]])
    }

    private func submission() -> WorkflowSubmission {
        WorkflowSubmission(purchaseID: UUID(), organizationSlug: "trebol", retailerExternalID: "123", username: "ana", rowCount: 4)
    }

    @Test func submitsThenFindsItAlreadyThere() throws {
        let engine = try argo.engine()
        let purchase = submission()
        #expect(engine.submit(purchase) == .accepted(workflowName: purchase.workflowName))
        #expect(engine.submit(purchase) == .alreadyExists(workflowName: purchase.workflowName))
        let workflow = try #require(argo.simulator.workflows["argo/\(purchase.workflowName)"])
        #expect(workflow.parameters == ["purchaseId": purchase.purchaseID.uuidString.lowercased()])
        #expect(workflow.labels == ["tradingd.io/purchase-id": purchase.purchaseID.uuidString.lowercased(), "tradingd.io/organization": "trebol"])
        #expect(workflow.template == "purchase-schedule")
        #expect(argo.simulator.workflows.count == 1)
    }

    @Test func mapsRefusalsAndOutages() throws {
        guard case .unavailable(let reason) = try argo.engine(token: "wrong").submit(submission()) else {
            Issue.record("a bad token should be retried")
            return
        }
        #expect(reason.contains("HTTP 401") && reason.contains("Unauthenticated") && !reason.contains("wrong"))
        guard case .unavailable(let missing) = try argo.engine(template: "absent").submit(submission()) else {
            Issue.record("a missing template should be retried")
            return
        }
        #expect(missing.contains("HTTP 404") && missing.contains("NotFound"))
        guard case .refused(let refused) = try argo.engine(template: "needs-more").submit(submission()) else {
            Issue.record("an invalid argument refuses the purchase")
            return
        }
        #expect(refused.contains("InvalidArgument") && refused.contains("region"))
        try argo.simulator.setDown(true)
        guard case .unavailable(let down) = try argo.engine().submit(submission()) else {
            Issue.record("a closed port should be retried")
            return
        }
        #expect(down.hasPrefix("Argo could not be reached"))
        try argo.simulator.setDown(false)
    }

    @Test func honoursRetryAfter() throws {
        argo.simulator.knobs = { var knobs = ArgoSimulatorKnobs(); knobs.rateLimitPerSecond = 0.2; knobs.rateLimitBurst = 1; return knobs }()
        let engine = try argo.engine()
        #expect(engine.submit(submission()) != .unavailable(reason: ""))
        guard case .throttled(let after, _) = engine.submit(submission()) else {
            Issue.record("429 should throttle")
            return
        }
        #expect(after >= .seconds(1) && after <= .seconds(5))
    }

    @Test func readsPhases() throws {
        argo.simulator.knobs = { var knobs = ArgoSimulatorKnobs(); knobs.pendingMilliseconds = 60_000; return knobs }()
        let engine = try argo.engine()
        let purchase = submission()
        _ = engine.submit(purchase)
        #expect(engine.status(ofWorkflow: purchase.workflowName) == .phase(.pending, startedAt: nil, finishedAt: nil))
        #expect(engine.status(ofWorkflow: "purchase-missing") == .notFound)
        argo.simulator.knobs = { var knobs = ArgoSimulatorKnobs(); knobs.pendingMilliseconds = 0; knobs.runningMilliseconds = 0
            knobs.failureRate = 1; return knobs }()
        let failing = submission()
        _ = engine.submit(failing)
        guard case .phase(.failed(let message), let started, let finished) = engine.status(ofWorkflow: failing.workflowName) else {
            Issue.record("expected a failed phase")
            return
        }
        #expect(message.contains("simulated failure") && started != nil && finished != nil)
    }

    @Test func retryAfterReadsSecondsAndDates() {
        #expect(ArgoWorkflowEngine.retryAfter("7") == .seconds(7))
        #expect(ArgoWorkflowEngine.retryAfter("0") == .seconds(1))
        #expect(ArgoWorkflowEngine.retryAfter(nil) == .seconds(5))
        #expect(ArgoWorkflowEngine.retryAfter("soon") == .seconds(5))
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        let inTen = ArgoWorkflowEngine.retryAfter(formatter.string(from: Date().addingTimeInterval(10)))
        #expect(inTen >= .seconds(9) && inTen <= .seconds(11))
        // Go's time.RFC1123 writes a UTC time with the zone "UTC", not HTTP's "GMT".
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'UTC'"
        formatter.timeZone = TimeZone(identifier: "UTC")
        let inTwenty = ArgoWorkflowEngine.retryAfter(formatter.string(from: Date().addingTimeInterval(20)))
        #expect(inTwenty >= .seconds(19) && inTwenty <= .seconds(21))
    }
}
